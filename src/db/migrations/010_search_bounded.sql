-- A search costs bounded time whatever one user stores: only the first 100,000 characters of a message
-- are indexed (and shown in snippets, see search.repo.ts), so a few huge messages cannot make every
-- search for a common word parse megabytes of text.
CREATE OR REPLACE FUNCTION messages_content_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'streaming' THEN
    NEW.content_search := NULL;
  ELSIF TG_OP = 'INSERT' OR NEW.content IS DISTINCT FROM OLD.content OR OLD.status = 'streaming' THEN
    NEW.content_search := to_tsvector('simple', left(NEW.content, 100000));
  END IF;
  RETURN NEW;
END;
$$;

UPDATE messages SET content_search = to_tsvector('simple', left(content, 100000))
WHERE length(content) > 100000 AND status <> 'streaming';
