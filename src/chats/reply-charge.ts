import type { TokenUsage } from '../llm/chat-model.js';

/** Who pays for a model call: charged when the call ends, whatever became of its row. */
export interface Charge {
  userId: string;
  model: string;
  usage: TokenUsage | null;
  /** The send's hold on the daily budget (see BudgetHold), released in the same statement. */
  holdId?: string;
}

/**
 * The CTEs that charge a reply's call to its user's day, in the statement that ends (or removes) the
 * reply, so ending and charging are one; their six parameters from `$n` (chargeParams), the reply's id
 * in `$1`. Once per reply: the charge first records the reply's id (reply_charges), so the statement
 * run again (its first answer lost to a dropped connection) charges nothing more. The send's hold on
 * the daily budget ends in the same statement. usage_daily and the holds are the usage feature's tables.
 */
export const charging = (n: number) => `once AS (
  INSERT INTO reply_charges (reply_id) SELECT $1::bigint WHERE $${n + 4}::boolean ON CONFLICT DO NOTHING RETURNING reply_id
), charged AS (
  INSERT INTO usage_daily (user_id, day, model, prompt_tokens, completion_tokens, replies)
  SELECT u.id, (now() AT TIME ZONE 'UTC')::date, $${n + 1}, coalesce($${n + 2}::int, 0), coalesce($${n + 3}::int, 0), 1
  FROM users u WHERE u.id = $${n}::uuid AND EXISTS (SELECT 1 FROM once)
  ON CONFLICT (user_id, day, model) DO UPDATE SET
    prompt_tokens = usage_daily.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = usage_daily.completion_tokens + EXCLUDED.completion_tokens,
    replies = usage_daily.replies + 1
), released AS (
  DELETE FROM token_reservations WHERE id = $${n + 5}::bigint
)`;

/** The parameters of charging(): `billed` false charges nothing (no call was made), but still ends the hold. */
export const chargeParams = (charge: Charge | undefined, billed: boolean) => [
  charge?.userId ?? null,
  charge?.model ?? '',
  charge?.usage?.promptTokens ?? null,
  charge?.usage?.completionTokens ?? null,
  billed && charge !== undefined,
  charge?.holdId ?? null,
];
