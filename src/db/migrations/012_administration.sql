-- Administration (issue 28): who is an admin, who may log in, per-user limits, invites and an audit log.
ALTER TABLE users
  ADD COLUMN role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  -- pending: registered under REGISTRATION=approval, waiting for an admin; disabled: refused at login.
  ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending', 'disabled')),
  -- NULL: follows DAILY_TOKEN_LIMIT; 0: no limit.
  ADD COLUMN daily_token_limit integer CHECK (daily_token_limit >= 0),
  -- NULL: every model of the server's allow-list.
  ADD COLUMN allowed_models text[],
  -- Set at login and when a session's expiry moves (sessions themselves go at logout).
  ADD COLUMN last_seen_at timestamptz;
-- The admin listing: newest first, keyset-paged.
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);

CREATE TABLE invites (
  code        text PRIMARY KEY,
  -- When set, only this email may register with the invite.
  email       text CHECK (email IS NULL OR email = lower(btrim(email))),
  created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  used_by     uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invites_created_idx ON invites (created_at DESC);

-- Every admin action, kept after the users it names are gone (no foreign keys: emails are copied).
CREATE TABLE audit_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    uuid,
  actor_email text,
  action      text NOT NULL,
  target_id   text,
  details     jsonb NOT NULL DEFAULT '{}'
);
