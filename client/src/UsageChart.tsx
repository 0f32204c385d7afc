export interface UsageReport {
  from: string;
  to: string;
  days: { day: string; model: string; promptTokens: number; completionTokens: number; replies: number }[];
  today: { used: number; limit: number | null; remaining: number | null; resetsAt: string };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Today's tokens against the daily budget, and the last 30 days as bars (a picture, not a table). */
export function UsageChart({ report }: { report: UsageReport }) {
  const perDay = new Map<string, number>();
  for (const d of report.days) perDay.set(d.day, (perDay.get(d.day) ?? 0) + d.promptTokens + d.completionTokens);
  const end = Date.parse(report.to);
  const days = Array.from({ length: 30 }, (_, i) => new Date(end - (29 - i) * DAY_MS).toISOString().slice(0, 10));
  const values = days.map((d) => perDay.get(d) ?? 0);
  const max = Math.max(1, ...values);
  const total = values.reduce((a, b) => a + b, 0);
  const { used, limit } = report.today;
  return (
    <div className="usage">
      <p>
        Today: <strong>{used.toLocaleString()}</strong> tokens{limit ? ` of ${limit.toLocaleString()}` : ''}
        {limit ? ` (resets at ${new Date(report.today.resetsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })})` : ''}
      </p>
      {limit && (
        <div className="meter" role="meter" aria-label="Today's tokens" aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used}>
          <div style={{ width: `${Math.min(100, (100 * used) / limit)}%` }} />
        </div>
      )}
      <svg
        className="chart"
        viewBox="0 0 300 80"
        role="img"
        aria-label={`Tokens per day over the last 30 days: ${total.toLocaleString()} in all`}
      >
        {values.map((v, i) => (
          <rect key={days[i]} x={i * 10 + 1} y={80 - (78 * v) / max} width={8} height={(78 * v) / max} rx={1}>
            <title>{`${days[i]}: ${v.toLocaleString()} tokens`}</title>
          </rect>
        ))}
      </svg>
    </div>
  );
}
