-- The turn engine across instances.

-- Chat timestamps are compared by keyset cursors that carry milliseconds (a JavaScript date): whatever
-- writes them (a trigger, a send, an import), they are stored at exactly that precision, so a page
-- never skips or repeats a chat.
CREATE FUNCTION chats_millisecond_timestamps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := date_trunc('milliseconds', NEW.updated_at);
  NEW.created_at := date_trunc('milliseconds', NEW.created_at);
  RETURN NEW;
END;
$$;
CREATE TRIGGER chats_millisecond_timestamps BEFORE INSERT OR UPDATE ON chats
  FOR EACH ROW EXECUTE FUNCTION chats_millisecond_timestamps();
UPDATE chats SET updated_at = updated_at WHERE updated_at <> date_trunc('milliseconds', updated_at);

-- Who generates a streaming reply: the database session (pid and start time) of its instance's
-- dedicated connection. When that session is gone from pg_stat_activity, so is the instance, and the
-- reply can be ended at once by whoever needs the chat.
ALTER TABLE messages
  ADD COLUMN owner_pid integer,
  ADD COLUMN owner_started timestamptz;

-- Tokens are charged when a model call ends (by the app, whatever becomes of its row), no longer by a
-- trigger on the row: a row deleted mid-reply would otherwise never be charged.
DROP TRIGGER messages_record_usage ON messages;
DROP FUNCTION record_reply_usage();
