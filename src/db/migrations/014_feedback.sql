-- 👍 / 👎 on a reply (issue 30), with an optional comment: kept on the message, exported with the chat.
ALTER TABLE messages
  ADD COLUMN feedback_rating text CHECK (feedback_rating IN ('up', 'down')),
  ADD COLUMN feedback_comment text CHECK (char_length(feedback_comment) <= 2000),
  ADD CONSTRAINT messages_feedback_on_replies CHECK (feedback_rating IS NULL OR role = 'assistant'),
  ADD CONSTRAINT messages_feedback_comment_rated CHECK (feedback_comment IS NULL OR feedback_rating IS NOT NULL);
