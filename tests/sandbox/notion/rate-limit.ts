// A token bucket per integration token: Notion allows about 3 requests/s per connection "with some
// bursts" and answers the excess with 429 + Retry-After (whole seconds). 0 requests/s = unlimited.

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request would be allowed (≥ 1 when refused). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBuckets {
  private perSecond = 0;
  private burst = 1;
  private readonly buckets = new Map<string, Bucket>();

  /** A new budget starts every bucket full. `burst` defaults to one second's worth (at least 1). */
  configure(perSecond: number, burst?: number): void {
    this.perSecond = Math.max(0, perSecond);
    this.burst = Math.max(1, burst ?? Math.ceil(this.perSecond));
    this.buckets.clear();
  }

  take(key: string, now: number = Date.now()): RateDecision {
    if (this.perSecond === 0) return { allowed: true, retryAfterSeconds: 0 };
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    const wait = (1 - bucket.tokens) / this.perSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }
}
