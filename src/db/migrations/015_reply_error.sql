-- Why a reply ended in error (issue 30): the error's code (model_unavailable, model_stream_interrupted,
-- reply_interrupted…), so a client shows the reason after a reload too. Null for every other message.
ALTER TABLE messages
  ADD COLUMN error_code text CHECK (char_length(error_code) <= 64),
  ADD CONSTRAINT messages_error_code_on_errors CHECK (error_code IS NULL OR status = 'error');
