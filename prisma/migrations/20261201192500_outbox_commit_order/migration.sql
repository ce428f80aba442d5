-- Outbox ids in commit order without a lock held for the whole writing transaction.
--
-- A new event row gets a provisional (negative) id; a deferred constraint trigger gives it its
-- real id from event_id_seq at COMMIT, under a transaction-level advisory lock that Postgres
-- releases only after the commit is visible. So ids become visible in increasing order (a
-- reader that has seen id N never later finds a committed id below N), and the lock is held
-- for the commit alone (no client round trip), instead of from the event's INSERT to COMMIT.
CREATE SEQUENCE "event_provisional_id_seq";
ALTER SEQUENCE "event_provisional_id_seq" OWNED BY "event"."id";
ALTER TABLE "event" ALTER COLUMN "id" SET DEFAULT (- nextval('event_provisional_id_seq'));

CREATE FUNCTION "event_commit_id"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(72707370);
  UPDATE "event" SET "id" = nextval('event_id_seq') WHERE "id" = NEW."id";
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "event_commit_id" AFTER INSERT ON "event"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "event_commit_id"();
