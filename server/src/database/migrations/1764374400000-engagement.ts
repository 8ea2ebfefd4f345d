import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Engagement1764374400000 implements MigrationInterface {
  name = 'Engagement1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
        sender_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        sender_name text NOT NULL,
        audience text NOT NULL CHECK (audience IN ('everyone', 'hosts')),
        body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
        client_request_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        deleted_at timestamptz,
        deleted_by uuid REFERENCES users(id) ON DELETE SET NULL,
        CONSTRAINT uq_chat_messages_request UNIQUE (sender_id, client_request_id)
      );
      CREATE INDEX ix_chat_messages_room ON chat_messages(room_id, created_at DESC, id DESC);
      CREATE INDEX ix_chat_messages_session ON chat_messages(session_id, created_at DESC, id DESC);

      -- An anonymous question keeps no author id or name (the CHECK makes that a database rule);
      -- author_key is a keyed hash of room, person and request id, for retries and "mine".
      CREATE TABLE questions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
        anonymous boolean NOT NULL,
        author_id uuid REFERENCES users(id) ON DELETE SET NULL,
        author_name text,
        author_key text NOT NULL,
        client_request_id text NOT NULL,
        body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 1000),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answering', 'answered', 'dismissed')),
        pinned boolean NOT NULL DEFAULT false,
        answer text CHECK (answer IS NULL OR char_length(answer) BETWEEN 1 AND 2000),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT uq_questions_author_key UNIQUE (author_key),
        CONSTRAINT ck_questions_anonymous CHECK (NOT anonymous OR (author_id IS NULL AND author_name IS NULL))
      );
      CREATE INDEX ix_questions_session ON questions(session_id);
      CREATE TABLE question_votes (
        question_id uuid NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (question_id, user_id)
      );

      CREATE TABLE polls (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
        question text NOT NULL CHECK (char_length(question) BETWEEN 1 AND 300),
        options jsonb NOT NULL CHECK (jsonb_typeof(options) = 'array' AND jsonb_array_length(options) BETWEEN 2 AND 10),
        multiple boolean NOT NULL,
        anonymous boolean NOT NULL,
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
        created_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_request_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        opened_at timestamptz,
        closed_at timestamptz,
        CONSTRAINT uq_polls_request UNIQUE (created_by, client_request_id)
      );
      CREATE INDEX ix_polls_session ON polls(session_id, created_at);
      -- Who has voted (every poll): one row per person, no time, no choice.
      CREATE TABLE poll_voters (
        poll_id uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (poll_id, user_id)
      );
      -- Who chose what: named polls only.
      CREATE TABLE poll_ballots (
        poll_id uuid NOT NULL,
        user_id uuid NOT NULL,
        voter_name text NOT NULL,
        choices smallint[] NOT NULL CHECK (cardinality(choices) BETWEEN 1 AND 10),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (poll_id, user_id),
        FOREIGN KEY (poll_id, user_id) REFERENCES poll_voters(poll_id, user_id) ON DELETE CASCADE
      );
      -- Running totals per option (every poll). For anonymous polls they are the only record of the
      -- choices: no row anywhere pairs a person with what they chose.
      CREATE TABLE poll_counts (
        poll_id uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
        option_index smallint NOT NULL CHECK (option_index BETWEEN 0 AND 9),
        votes integer NOT NULL DEFAULT 0 CHECK (votes >= 0),
        PRIMARY KEY (poll_id, option_index)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE poll_counts; DROP TABLE poll_ballots; DROP TABLE poll_voters; DROP TABLE polls;
      DROP TABLE question_votes; DROP TABLE questions; DROP TABLE chat_messages;
    `);
  }
}
