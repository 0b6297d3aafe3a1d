// SQLite schema migrations, applied in order and recorded in PRAGMA user_version.

export const MIGRATIONS: readonly string[] = [
  // 1: instances, images, vectors
  `
  CREATE TABLE instances (
    name TEXT PRIMARY KEY,
    service_type TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    descriptor TEXT NOT NULL,
    metric TEXT NOT NULL,
    index_spec TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    image_count INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE TABLE images (
    label INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(name) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    pic_name TEXT NOT NULL,
    category_id INTEGER NOT NULL,
    int_attr INTEGER NOT NULL, int_attr2 INTEGER NOT NULL, int_attr3 INTEGER NOT NULL, int_attr4 INTEGER NOT NULL,
    str_attr TEXT NOT NULL, str_attr2 TEXT NOT NULL, str_attr3 TEXT NOT NULL, str_attr4 TEXT NOT NULL,
    custom_content TEXT NOT NULL,
    region TEXT NOT NULL,
    regions TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (instance, product_id, pic_name)
  ) STRICT;
  CREATE INDEX images_category ON images (instance, category_id);
  CREATE INDEX images_sha256 ON images (sha256);
  CREATE TABLE vectors (
    label INTEGER NOT NULL REFERENCES images(label) ON DELETE CASCADE,
    descriptor TEXT NOT NULL,
    kind INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (label, descriptor)
  ) STRICT, WITHOUT ROWID;
  `,
  // 2: access keys (secrets in clear: HMAC verification needs them; the file is mode 0600) and
  // background tasks (export, increment), at most one PROCESSING task per (instance, kind)
  `
  CREATE TABLE access_keys (
    id TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(name) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    error TEXT,
    source TEXT,
    files TEXT NOT NULL,
    counts TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tasks_instance_kind ON tasks (instance, kind, id);
  CREATE UNIQUE INDEX tasks_one_running ON tasks (instance, kind) WHERE status = 'PROCESSING';
  `,
  // 3: an instance's optional reranker (local features stored in vectors under its id)
  `
  ALTER TABLE instances ADD COLUMN reranker TEXT;
  `,
  // 4: the change feed every index follows (store.ts Change), the store's identity, the node that
  // runs each task, and per-item outcomes of ingestion batches
  `
  CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  INSERT INTO store_meta (key, value) VALUES ('store_id', lower(hex(randomblob(16)))), ('trimmed_through', '0');
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL,
    kind TEXT NOT NULL,
    labels TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX changes_instance ON changes (instance, seq);
  CREATE INDEX changes_created ON changes (created_at);
  ALTER TABLE tasks ADD COLUMN node TEXT NOT NULL DEFAULT '';
  CREATE TABLE ingest_outcomes (
    batch TEXT NOT NULL,
    item INTEGER NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (batch, item)
  ) STRICT, WITHOUT ROWID;
  `,
  // 5: access key scopes: the instances a key may use (JSON array; NULL = all), read-only keys,
  // and a per-key QPS limit (NULL = the server default)
  `
  ALTER TABLE access_keys ADD COLUMN instances TEXT;
  ALTER TABLE access_keys ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE access_keys ADD COLUMN qps INTEGER;
  `,
  // 6: an instance's images in label order, so paging through them (exports, text indexes, search
  // by filter) reads one range instead of every row of the instance plus a sort per page
  `
  CREATE INDEX images_instance_label ON images (instance, label);
  `,
];
