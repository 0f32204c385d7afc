-- The daily token budget (DAILY_TOKEN_LIMIT) holds under concurrent sends: a send is admitted only if
-- what its user spent today plus what their admitted, unfinished sends hold is under the limit, and then
-- holds its share here (the room kept for the answer, then its prompt too once built) until its reply
-- ends, in the statement that charges it. A hold left by a process that died is ignored after an hour
-- and deleted by the orphan sweep.
CREATE TABLE token_reservations (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tokens     integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX token_reservations_user_idx ON token_reservations (user_id, created_at);

-- Each reply's model call is charged once, whatever runs the statement that ends it (again after a lost
-- answer, or after its chat was deleted): the charge inserts its reply's id here first. Kept two days.
CREATE TABLE reply_charges (
  reply_id   bigint PRIMARY KEY,
  charged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reply_charges_age_idx ON reply_charges (charged_at);
