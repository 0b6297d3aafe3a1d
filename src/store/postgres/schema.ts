// PostgreSQL schema migrations: plain versioned SQL, applied in order at start under an advisory
// lock (several nodes may start at once) and recorded in schema_migrations.

/** Migration N is MIGRATIONS[N-1]; never edit a released one, append a new one. */
export const MIGRATIONS: readonly string[] = [
  // 1: everything the SQLite store has after its migration 3, plus shared originals
  `
  CREATE TABLE store_meta (key text PRIMARY KEY, value text NOT NULL);
  INSERT INTO store_meta (key, value) VALUES ('store_id', md5(random()::text || clock_timestamp()::text)), ('trimmed_through', '0');
  CREATE TABLE instances (
    name text PRIMARY KEY,
    service_type text NOT NULL,
    capacity bigint NOT NULL,
    descriptor text NOT NULL,
    metric text NOT NULL,
    index_spec text NOT NULL,
    created_at bigint NOT NULL,
    image_count bigint NOT NULL DEFAULT 0
  );
  CREATE TABLE images (
    label bigserial PRIMARY KEY,
    instance text NOT NULL REFERENCES instances(name) ON DELETE CASCADE,
    product_id text NOT NULL,
    pic_name text NOT NULL,
    category_id bigint NOT NULL,
    int_attr bigint NOT NULL, int_attr2 bigint NOT NULL, int_attr3 bigint NOT NULL, int_attr4 bigint NOT NULL,
    str_attr text NOT NULL, str_attr2 text NOT NULL, str_attr3 text NOT NULL, str_attr4 text NOT NULL,
    custom_content text NOT NULL,
    region text NOT NULL,
    regions text NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    format text NOT NULL,
    sha256 text NOT NULL,
    bytes bigint NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (instance, product_id, pic_name)
  );
  CREATE INDEX images_category ON images (instance, category_id);
  CREATE INDEX images_sha256 ON images (sha256);
  CREATE TABLE vectors (
    label bigint NOT NULL REFERENCES images(label) ON DELETE CASCADE,
    descriptor text NOT NULL,
    kind smallint NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (label, descriptor)
  );
  CREATE TABLE access_keys (
    id text PRIMARY KEY,
    secret text NOT NULL,
    description text NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE TABLE tasks (
    id bigserial PRIMARY KEY,
    instance text NOT NULL REFERENCES instances(name) ON DELETE CASCADE,
    kind text NOT NULL,
    status text NOT NULL,
    message text NOT NULL,
    error text,
    source jsonb,
    files text NOT NULL,
    counts text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    node text NOT NULL DEFAULT ''
  );
  CREATE INDEX tasks_instance_kind ON tasks (instance, kind, id);
  CREATE UNIQUE INDEX tasks_one_running ON tasks (instance, kind) WHERE status = 'PROCESSING';
  CREATE SEQUENCE changes_seq;
  CREATE TABLE changes (
    seq bigint PRIMARY KEY,
    instance text NOT NULL,
    kind text NOT NULL,
    labels jsonb NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX changes_instance ON changes (instance, seq);
  CREATE INDEX changes_created ON changes (created_at);
  CREATE TABLE ingest_outcomes (
    batch text NOT NULL,
    item bigint NOT NULL,
    status text NOT NULL,
    detail jsonb NOT NULL,
    PRIMARY KEY (batch, item)
  );
  CREATE TABLE blobs (
    sha256 text PRIMARY KEY,
    bytes bytea NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE TABLE blob_pins (
    id bigserial PRIMARY KEY,
    sha256 text NOT NULL,
    until_ms bigint NOT NULL
  );
  CREATE INDEX blob_pins_sha256 ON blob_pins (sha256);
  `,
  // 2: an instance's optional reranker (local features stored in vectors under its id)
  `
  ALTER TABLE instances ADD COLUMN reranker text;
  `,
  // 3: access key scopes: the instances a key may use (NULL = all), read-only keys, and a per-key
  // QPS limit (NULL = the server default)
  `
  ALTER TABLE access_keys ADD COLUMN instances text[];
  ALTER TABLE access_keys ADD COLUMN read_only boolean NOT NULL DEFAULT false;
  ALTER TABLE access_keys ADD COLUMN qps integer;
  `,
  // 4: an instance's images in label order (scans and paging read one index range, as SQLite's migration 6)
  `
  CREATE INDEX images_instance_label ON images (instance, label);
  `,
];

/**
 * Applied (idempotently) when `CREATE EXTENSION vector` succeeds: pgvector copies of the vectors,
 * kept beside the float32/bit bytes that stay the record of truth.
 */
export const PGVECTOR_SQL = `
  ALTER TABLE vectors ADD COLUMN IF NOT EXISTS embedding vector;
  ALTER TABLE vectors ADD COLUMN IF NOT EXISTS code bit varying;
`;
