/**
 * At most `atOnce` pieces of work at a time; the rest wait in order, and a finished one hands its turn
 * straight to the next (so a newcomer can never slip in between). Searches and file work use it.
 */
export function createGate(atOnce: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    /** Waits for a turn; false when `maxWaiting` already wait, or when none came within `waitMs`. Then leave(). */
    enter({ maxWaiting = Infinity, waitMs }: { maxWaiting?: number; waitMs?: number } = {}): Promise<boolean> {
      if (running < atOnce) return (running++, Promise.resolve(true));
      if (waiting.length >= maxWaiting) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer =
          waitMs === undefined ? undefined : setTimeout(() => (waiting.splice(waiting.indexOf(wake), 1), resolve(false)), waitMs);
        const wake = () => (clearTimeout(timer), resolve(true));
        waiting.push(wake);
      });
    },
    leave(): void {
      const next = waiting.shift();
      if (next) next();
      else running--;
    },
  };
}
