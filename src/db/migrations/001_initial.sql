-- The seed's schema, made careful: uuid ids for users and chats (opaque, not enumerable), timestamptz,
-- NOT NULL foreign keys, case-insensitive unique email, chats.updated_at kept by a trigger, and the
-- indexes the two hot queries need.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (email = lower(btrim(email)) AND char_length(email) BETWEEN 3 AND 254),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE chats (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title      text CHECK (char_length(title) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- "My chats, most recently active first".
CREATE INDEX chats_user_recent_idx ON chats (user_id, updated_at DESC, id DESC);

CREATE TABLE messages (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chat_id           uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  role              text NOT NULL CHECK (role IN ('user', 'assistant')),
  content           text NOT NULL,
  -- Idempotency key chosen by the client for a user message (a retry or double click sends it again).
  client_message_id uuid CHECK (client_message_id IS NULL OR role = 'user'),
  -- For an assistant message: the user message it answers.
  reply_to          bigint REFERENCES messages (id) ON DELETE CASCADE,
  model             text,
  prompt_tokens     integer,
  completion_tokens integer,
  created_at        timestamptz NOT NULL DEFAULT now()
);
-- "Messages of a chat in order" (order is by id, a sequence, never by timestamp alone).
CREATE INDEX messages_chat_order_idx ON messages (chat_id, id);
CREATE UNIQUE INDEX messages_client_id_key ON messages (client_message_id, chat_id) WHERE client_message_id IS NOT NULL;
CREATE INDEX messages_reply_to_idx ON messages (reply_to) WHERE reply_to IS NOT NULL;

-- Every new message makes its chat the most recently active one.
CREATE FUNCTION touch_chat_on_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chats SET updated_at = greatest(updated_at, now()) WHERE id = NEW.chat_id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER messages_touch_chat AFTER INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION touch_chat_on_message();

-- express-session store (connect-pg-simple's layout), created here rather than by the store itself.
CREATE TABLE sessions (
  sid    varchar PRIMARY KEY,
  sess   json NOT NULL,
  expire timestamptz NOT NULL
);
CREATE INDEX sessions_expire_idx ON sessions (expire);
