// The latest run on a page or database, kept current through the state port, with its streamed text.
import { useEffect, useState } from 'preact/hooks';
import type { Job } from '../shared/job';
import { connectStatePort } from '../messaging';

export interface TargetJob {
  job: Job | null;
  /** Text streamed so far by the running job (empty when none is streaming). */
  streamed: string;
  loaded: boolean;
}

export function useTargetJob(targetId: string): TargetJob {
  const [state, setState] = useState<TargetJob>({ job: null, streamed: '', loaded: false });
  useEffect(() => {
    setState({ job: null, streamed: '', loaded: false });
    const port = connectStatePort((message) => {
      if (message.type === 'job' && message.targetId === targetId) {
        setState((s) => {
          // Only the newest run of the target matters; an older one's late update is ignored.
          if (s.job && message.job && message.job.createdAt < s.job.createdAt) return s;
          const sameJob = s.job?.id === message.job?.id;
          return { job: message.job, streamed: sameJob ? s.streamed : '', loaded: true };
        });
      } else if (message.type === 'text') {
        setState((s) => (s.job === null || s.job.id === message.jobId ? { ...s, streamed: message.text } : s));
      }
    });
    port.send({ type: 'watch', targetId });
    return () => port.close();
  }, [targetId]);
  return state;
}
