-- The web console's device list filters by site and zone in id order (issue 22): indexes that
-- serve "site = ? AND id > ? ORDER BY id LIMIT n" without a scan at fleet scale.
CREATE INDEX devices_site ON devices (site, id);
CREATE INDEX devices_zone ON devices (zone, id);
