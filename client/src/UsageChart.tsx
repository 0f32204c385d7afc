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
      <DayBars days={days} values={values} label={`Tokens per day over the last 30 days: ${total.toLocaleString()} in all`} />
    </div>
  );
}

/**
 * Tokens per day as bars, with labelled axes (tokens up the side, the first, middle and last day along
 * the bottom) and a tooltip per day (its date and tokens).
 */
export function DayBars({ days, values, label }: { days: string[]; values: number[]; label: string }) {
  const max = Math.max(1, ...values);
  const H = 80; // plot height; the axes' labels sit around it
  const short = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString([], { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return (
    <svg className="chart" viewBox="-44 -6 350 104" role="img" aria-label={label}>
      <line className="axis" x1={-2} y1={0} x2={-2} y2={H} />
      <line className="axis" x1={-2} y1={H} x2={300} y2={H} />
      <text className="axis-label" x={-6} y={6} textAnchor="end">
        {max.toLocaleString()}
      </text>
      <text className="axis-label" x={-6} y={H} textAnchor="end">
        0
      </text>
      {[0, Math.floor(days.length / 2), days.length - 1].map((i) => (
        <text key={i} className="axis-label" x={i * 10 + 5} y={H + 14} textAnchor="middle">
          {short(days[i]!)}
        </text>
      ))}
      {values.map((v, i) => (
        <g key={days[i]}>
          {/* The whole day's column takes the pointer, so a day with no tokens has its tooltip too. */}
          <rect className="day-hit" x={i * 10} y={0} width={10} height={H}>
            <title>{`${days[i]}: ${v.toLocaleString()} tokens`}</title>
          </rect>
          <rect x={i * 10 + 1} y={H - (H * v) / max} width={8} height={(H * v) / max} rx={1} pointerEvents="none" />
        </g>
      ))}
    </svg>
  );
}
