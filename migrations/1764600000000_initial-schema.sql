-- Up Migration

-- Every record is kept whole as JSON (`doc`), as the domain types describe it; the columns beside
-- it are what the bot looks records up by, kept in step with the document on every write.

CREATE TABLE accounts (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE,
  phone text,
  teams_id text,
  card_fingerprint text,
  doc jsonb NOT NULL
);
CREATE INDEX accounts_phone ON accounts (phone) WHERE phone IS NOT NULL;
CREATE INDEX accounts_teams_id ON accounts (teams_id) WHERE teams_id IS NOT NULL;
CREATE INDEX accounts_card_fingerprint ON accounts (card_fingerprint) WHERE card_fingerprint IS NOT NULL;

-- One live request per account and purpose (a reset link, a code, a grant); a newer one replaces it.
CREATE TABLE reset_requests (
  account_id text NOT NULL,
  purpose text NOT NULL,
  secret_hash text NOT NULL UNIQUE,
  doc jsonb NOT NULL,
  PRIMARY KEY (account_id, purpose)
);

CREATE TABLE sms_challenges (
  conversation_id text PRIMARY KEY,
  doc jsonb NOT NULL
);
-- The newest challenge for a number; older ones no longer work.
CREATE TABLE sms_latest (
  phone_key text PRIMARY KEY,
  challenge_id text NOT NULL
);

CREATE TABLE password_pages (
  conversation_id text PRIMARY KEY,
  ticket_hash text UNIQUE,
  doc jsonb NOT NULL
);

CREATE TABLE tickets (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  conversation_id text NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX tickets_conversation ON tickets (conversation_id, seq DESC);

CREATE TABLE escalations (
  id text PRIMARY KEY,
  doc jsonb NOT NULL
);

CREATE TABLE webchat_conversations (
  id text PRIMARY KEY,
  doc jsonb NOT NULL
);

-- The support team's channel: one row.
CREATE TABLE support_channel (
  id smallint PRIMARY KEY CHECK (id = 1),
  doc jsonb NOT NULL
);

CREATE TABLE conversation_references (
  conversation_id text PRIMARY KEY,
  doc jsonb NOT NULL
);

-- Bot Framework conversation state; `etag` changes on every write, and a write naming an older
-- one is refused.
CREATE TABLE bot_state (
  key text PRIMARY KEY,
  etag text NOT NULL,
  doc jsonb NOT NULL
);

-- Append-only: the bot only inserts.
CREATE TABLE audit_events (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  doc jsonb NOT NULL
);

-- Work promised to a person (mail, texts, background turns), done by whichever instance takes it.
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  run_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  done_at timestamptz,
  last_error text
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;

-- Down Migration
DROP TABLE jobs;
DROP TABLE audit_events;
DROP TABLE bot_state;
DROP TABLE conversation_references;
DROP TABLE support_channel;
DROP TABLE webchat_conversations;
DROP TABLE escalations;
DROP TABLE tickets;
DROP TABLE password_pages;
DROP TABLE sms_latest;
DROP TABLE sms_challenges;
DROP TABLE reset_requests;
DROP TABLE accounts;
