-- Message branches (issue 31): a chat's messages form a tree, and one path through it, root to leaf, is
-- the active one (what is shown, paged, sent to the model and continued). An edit or a regeneration adds
-- a sibling instead of replacing anything.
--
-- parent_id: the message a message answers or follows (null for a chat's first message). A child is
-- always inserted after its parent, so ids grow along every path, and a path read in id order is in
-- conversation order: the queries of a linear chat work on the active path unchanged, with `on_path`.
-- on_path: the message lies on the chat's active path. Kept by the few statements that move the path
-- (a switch, an edit, a regeneration, an import): what every read needs is then one index range.
ALTER TABLE messages
  ADD COLUMN parent_id bigint REFERENCES messages (id) ON DELETE CASCADE,
  ADD COLUMN on_path boolean NOT NULL DEFAULT true;

-- Existing chats become single-path trees: each message's parent is the one before it.
UPDATE messages m SET parent_id = p.previous
FROM (SELECT id, lag(id) OVER (PARTITION BY chat_id ORDER BY id) AS previous FROM messages) p
WHERE p.id = m.id AND p.previous IS NOT NULL;

-- The active path's leaf, on the chat's row: a send locks that row, and a locked row is read as it is
-- now (not as the statement's snapshot saw it), so a send that waited for a switch or an edit still
-- goes under the leaf that change made (see turns.repo.ts).
ALTER TABLE chats ADD COLUMN active_leaf_id bigint;
UPDATE chats c SET active_leaf_id = (SELECT max(id) FROM messages m WHERE m.chat_id = c.id);

-- A message is never its own ancestor, and its parent is older (so a path's id order is its order).
ALTER TABLE messages ADD CONSTRAINT messages_parent_older CHECK (parent_id < id);

-- The active path in order (pages, the conversation, the leaf a send goes under).
CREATE INDEX messages_path_idx ON messages (chat_id, id) WHERE on_path;
-- A message's children (siblings, a branch's leaves) and a chat's first messages.
CREATE INDEX messages_parent_idx ON messages (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX messages_roots_idx ON messages (chat_id) WHERE parent_id IS NULL;

-- The ids of the messages with the same parent as message `self` (of chat `chat`, under `parent`), oldest
-- first, `self` included. `self` is added rather than read, so a row being inserted (invisible to its
-- own statement) lists itself too.
CREATE FUNCTION message_sibling_ids(chat uuid, parent bigint, self bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
  SELECT array_agg(id ORDER BY id) FROM (
    SELECT id FROM messages WHERE $2 IS NOT NULL AND parent_id = $2 AND id <> $3
    UNION ALL
    SELECT id FROM messages WHERE $2 IS NULL AND parent_id IS NULL AND chat_id = $1 AND id <> $3
    UNION ALL
    SELECT $3
  ) siblings
$$;
