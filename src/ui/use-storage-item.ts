// Binds a storage item to a component: its current value, kept fresh as the background writes it.
import { useEffect, useState } from 'preact/hooks';

interface WatchableItem<T> {
  getValue(): Promise<T>;
  watch(cb: (value: T) => void): () => void;
}

export function useStorageItem<T>(
  item: WatchableItem<T>,
  read: () => Promise<T> = () => item.getValue(),
): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void read().then((v) => live && setValue(v));
    const unwatch = item.watch(() => void read().then((v) => live && setValue(v)));
    return () => {
      live = false;
      unwatch();
    };
  }, [item]);
  return value;
}
