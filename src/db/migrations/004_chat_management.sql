-- Chat management: pinning, archiving, cursor pagination, full-text search, sharing.

-- Timestamps used as pagination cursors are kept at millisecond precision, so the cursor a client holds
-- (a JavaScript date) names a row exactly.
UPDATE chats SET updated_at = date_trunc('milliseconds', updated_at), created_at = date_trunc('milliseconds', created_at);
ALTER TABLE chats
  ALTER COLUMN updated_at SET DEFAULT date_trunc('milliseconds', now()),
  ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now()),
  ADD COLUMN pinned boolean NOT NULL DEFAULT false,
  ADD COLUMN archived boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION touch_chat_on_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chats SET updated_at = greatest(updated_at, date_trunc('milliseconds', now())) WHERE id = NEW.chat_id;
  RETURN NULL;
END;
$$;

-- "My chats": pinned first, then most recently active, in pages.
DROP INDEX chats_user_recent_idx;
CREATE INDEX chats_user_list_idx ON chats (user_id, archived, pinned DESC, updated_at DESC, id DESC);

-- Full-text search over titles and messages ('simple': no stemming, so any language works alike).
ALTER TABLE chats ADD COLUMN title_search tsvector
  GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, ''))) STORED;
ALTER TABLE messages ADD COLUMN content_search tsvector
  GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
CREATE INDEX chats_title_search_idx ON chats USING gin (title_search);
CREATE INDEX messages_content_search_idx ON messages USING gin (content_search);

-- Read-only snapshots of a chat at an unguessable URL. Only a hash of the token is stored.
CREATE TABLE shares (
  token_hash text PRIMARY KEY,
  chat_id    uuid NOT NULL UNIQUE REFERENCES chats (id) ON DELETE CASCADE,
  snapshot   jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
