-- Streaming replies: the assistant row exists from the start of a generation and records how it ended.
ALTER TABLE messages
  ADD COLUMN status text NOT NULL DEFAULT 'complete'
    CHECK (status IN ('streaming', 'complete', 'stopped', 'error')),
  -- Set by POST /stop on any instance; the instance running the generation sees it at its next flush.
  ADD COLUMN stop_requested boolean NOT NULL DEFAULT false,
  -- Refreshed by every flush of a streaming row; a stale one means its process died.
  ADD COLUMN heartbeat_at timestamptz;

-- One generation at a time per chat, across every app instance.
CREATE UNIQUE INDEX messages_one_streaming_per_chat ON messages (chat_id) WHERE status = 'streaming';

-- Per-chat settings for the model call.
ALTER TABLE chats
  ADD COLUMN system_prompt text CHECK (char_length(system_prompt) <= 8000),
  ADD COLUMN model text CHECK (char_length(model) <= 200);
