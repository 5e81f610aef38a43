-- tests/env/seed-tenant.sql - demo data for one tenant database: the image
-- metadata a DeepLens tenant keeps (users, collections, images, tags).
-- Deterministic: every value is derived from row numbers and the tenant
-- name, so two seeds of the same tenant dump to the same rows.
--
-- psql variables (set by tests/env/postgres.sh, which has already
-- connected to the empty database):
--   tenant       tenant name, e.g. vayyari
--   n_users      number of users
--   n_images     number of images (about 3 tags each)
--   seed_version written to deeplens_seed; postgres.sh reseeds on mismatch

CREATE TABLE users (
    id           integer PRIMARY KEY,
    email        text NOT NULL UNIQUE,
    display_name text NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at   timestamptz NOT NULL
);

CREATE TABLE collections (
    id         integer PRIMARY KEY,
    name       text NOT NULL,
    owner_id   integer NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL
);

CREATE TABLE images (
    id            bigint PRIMARY KEY,
    collection_id integer NOT NULL REFERENCES collections (id),
    uploaded_by   integer NOT NULL REFERENCES users (id),
    file_name     text NOT NULL,
    storage_key   text NOT NULL UNIQUE,
    sha256        char(64) NOT NULL,
    mime_type     text NOT NULL,
    width         integer NOT NULL,
    height        integer NOT NULL,
    size_bytes    bigint NOT NULL,
    camera        text,
    captured_at   timestamptz,
    uploaded_at   timestamptz NOT NULL,
    metadata      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX images_uploaded_at_idx ON images (uploaded_at);
CREATE INDEX images_collection_idx ON images (collection_id);

CREATE TABLE tags (
    id   integer PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE image_tags (
    image_id   bigint NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    tag_id     integer NOT NULL REFERENCES tags (id),
    confidence real NOT NULL,
    source     text NOT NULL CHECK (source IN ('model', 'user')),
    PRIMARY KEY (image_id, tag_id)
);
CREATE INDEX image_tags_tag_idx ON image_tags (tag_id);

CREATE TABLE deeplens_seed (
    tenant    text NOT NULL,
    version   integer NOT NULL,
    seeded_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users (id, email, display_name, role, created_at)
SELECT i,
       format('user%s@%s.example', i, :'tenant'),
       initcap((ARRAY['ana', 'ben', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hana', 'ivan', 'jo'])[1 + i % 10])
           || ' ' || initcap(:'tenant') || ' ' || i,
       CASE WHEN i = 1 THEN 'admin' WHEN i % 4 = 0 THEN 'editor' ELSE 'viewer' END,
       timestamptz '2024-01-01 09:00:00+00' + i * interval '1 day 3 hours'
FROM generate_series(1, :n_users) AS i;

INSERT INTO collections (id, name, owner_id, created_at)
SELECT i,
       (ARRAY['Catalogue', 'Campaign', 'Field photos', 'Receipts', 'Archive', 'Social'])[1 + i % 6]
           || ' ' || (2024 + i % 2) || '-' || lpad((1 + i % 12)::text, 2, '0'),
       1 + (i * 7) % :n_users,
       timestamptz '2024-02-01 10:00:00+00' + i * interval '5 days'
FROM generate_series(1, greatest(3, :n_images / 100)) AS i;

INSERT INTO tags (id, name)
SELECT row_number() OVER (), name
FROM unnest(ARRAY['beach', 'sunset', 'person', 'dog', 'cat', 'car', 'building', 'tree',
                  'mountain', 'document', 'receipt', 'logo', 'food', 'indoor', 'outdoor',
                  'night', 'portrait', 'landscape', 'text', 'screenshot', 'product', 'shoe',
                  'dress', 'handbag', 'jewelry', 'kitchen', 'office', 'whiteboard', 'chart',
                  'invoice']) AS name;

INSERT INTO images (id, collection_id, uploaded_by, file_name, storage_key, sha256, mime_type,
                    width, height, size_bytes, camera, captured_at, uploaded_at, metadata)
SELECT i,
       1 + i % greatest(3, :n_images / 100),
       1 + (i * 13) % :n_users,
       format('IMG_%s.%s', lpad(i::text, 6, '0'), CASE WHEN i % 5 = 0 THEN 'png' ELSE 'jpg' END),
       format('tenant-%s/%s/%s', :'tenant', substr(h, 1, 2), h),
       h,
       CASE WHEN i % 5 = 0 THEN 'image/png' ELSE 'image/jpeg' END,
       640 + (i * 7919) % 3392,
       480 + (i * 104729) % 2544,
       40000 + (i::bigint * 2654435761) % 9000000,
       CASE WHEN i % 5 = 0 THEN NULL
            ELSE (ARRAY['Canon EOS R5', 'Nikon Z6', 'iPhone 15 Pro', 'Pixel 8', 'Sony A7 IV'])[1 + i % 5] END,
       CASE WHEN i % 5 = 0 THEN NULL
            ELSE timestamptz '2025-01-01 00:00:00+00' + i * interval '17 minutes' - interval '2 days' END,
       timestamptz '2025-01-01 00:00:00+00' + i * interval '17 minutes',
       jsonb_build_object('iso', 100 * (1 + i % 32), 'orientation', 1 + i % 8,
                          'gps', CASE WHEN i % 3 = 0 THEN NULL
                                      ELSE jsonb_build_object('lat', round((i % 180 - 90) + (i % 997) / 997.0, 5),
                                                              'lon', round((i % 360 - 180) + (i % 991) / 991.0, 5)) END)
FROM generate_series(1, :n_images) AS i,
     LATERAL (SELECT encode(sha256(convert_to(:'tenant' || '/image/' || i, 'UTF8')), 'hex') AS h) AS d;

INSERT INTO image_tags (image_id, tag_id, confidence, source)
SELECT DISTINCT ON (i, t) i, t,
       round((0.5 + ((i * 31 + k * 17) % 50) / 100.0)::numeric, 2),
       CASE WHEN (i + k) % 7 = 0 THEN 'user' ELSE 'model' END
FROM generate_series(1, :n_images) AS i,
     generate_series(0, 2) AS k,
     LATERAL (SELECT 1 + (i * (k + 3) + k * 11) % 30 AS t) AS d;

INSERT INTO deeplens_seed (tenant, version, seeded_at)
VALUES (:'tenant', :seed_version, timestamptz '2025-01-01 00:00:00+00');

ANALYZE;
