-- A new message makes its chat the most recently active one, as before, but a chat that is already
-- (a send's own statement sets updated_at itself) is no longer rewritten: each of a send's two inserts
-- used to update the chat's row again, to the same value, each time a new row version with new entries
-- in its indexes (updated_at is indexed, so never a HOT update) and its title's search vector recomputed.
CREATE OR REPLACE FUNCTION touch_chat_on_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chats SET updated_at = date_trunc('milliseconds', now())
  WHERE id = NEW.chat_id AND updated_at < date_trunc('milliseconds', now());
  RETURN NULL;
END;
$$;
