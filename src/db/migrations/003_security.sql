-- Sessions we can list and revoke per user, with an absolute lifetime.
ALTER TABLE sessions
  -- The id shown to the user (GET /api/auth/sessions); the sid itself never leaves the cookie.
  ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN user_agent text;
CREATE UNIQUE INDEX sessions_id_key ON sessions (id);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;

-- Rate-limit counters shared by every app instance (fixed windows).
CREATE TABLE rate_limits (
  key      text PRIMARY KEY,
  count    integer NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX rate_limits_reset_idx ON rate_limits (reset_at);

-- Tokens spent per user, day and model. Kept apart from messages so deleting a chat neither changes
-- the daily budget nor the usage history.
CREATE TABLE usage_daily (
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  day               date NOT NULL,
  model             text NOT NULL,
  prompt_tokens     bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  replies           integer NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, day, model)
);

-- A reply that ends with reported usage adds it to its owner's day.
CREATE FUNCTION record_reply_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_daily (user_id, day, model, prompt_tokens, completion_tokens, replies)
  SELECT c.user_id, (now() AT TIME ZONE 'UTC')::date, coalesce(NEW.model, ''),
         coalesce(NEW.prompt_tokens, 0), coalesce(NEW.completion_tokens, 0), 1
  FROM chats c WHERE c.id = NEW.chat_id
  ON CONFLICT (user_id, day, model) DO UPDATE SET
    prompt_tokens = usage_daily.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = usage_daily.completion_tokens + EXCLUDED.completion_tokens,
    replies = usage_daily.replies + 1;
  RETURN NULL;
END;
$$;
CREATE TRIGGER messages_record_usage AFTER UPDATE OF status ON messages
  FOR EACH ROW WHEN (OLD.status = 'streaming' AND NEW.status <> 'streaming' AND NEW.role = 'assistant')
  EXECUTE FUNCTION record_reply_usage();
