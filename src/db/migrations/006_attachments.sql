-- Attachments: files a user uploads and sends with a message (images for vision models, documents as
-- text). The bytes are kept once per user and content (sha256): the same file uploaded twice is stored,
-- and counted against the user's storage, once.
CREATE TABLE attachment_blobs (
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  sha256      bytea NOT NULL,
  bytes       bytea NOT NULL,
  size        integer NOT NULL,
  -- What the model is given, made once at upload: an image scaled down to 2048 px on its long side
  -- (null: the original fits), a document's text.
  model_bytes bytea,
  model_mime  text,
  text        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, sha256)
);

CREATE TABLE attachments (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Null until sent; deleting the message (or its chat) deletes its attachments.
  message_id bigint REFERENCES messages (id) ON DELETE CASCADE,
  sha256     bytea NOT NULL,
  name       text NOT NULL,
  mime_type  text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('image', 'document')),
  size       integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (user_id, sha256) REFERENCES attachment_blobs (user_id, sha256)
);
CREATE INDEX attachments_message_idx ON attachments (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_unsent_idx ON attachments (created_at) WHERE message_id IS NULL;
CREATE INDEX attachments_blob_idx ON attachments (user_id, sha256);

-- A blob goes with its last attachment.
CREATE FUNCTION drop_unused_attachment_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM attachment_blobs b
  WHERE b.user_id = OLD.user_id AND b.sha256 = OLD.sha256
    AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.user_id = OLD.user_id AND a.sha256 = OLD.sha256);
  RETURN NULL;
END;
$$;
CREATE TRIGGER attachments_drop_unused_blob AFTER DELETE ON attachments
  FOR EACH ROW EXECUTE FUNCTION drop_unused_attachment_blob();

-- A user message's attachments as every message payload lists them ([{id, name, mimeType, size, kind}]),
-- written once when it is sent (attachments never change after): messages are read without a join.
ALTER TABLE messages ADD COLUMN attachments jsonb;
