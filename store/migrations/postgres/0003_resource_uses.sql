-- Which library resources an organisation has used, and when (days since 1970-01-01). The
-- diagnosis (§6) recommends only resources the organisation has not used in 12 months.
CREATE TABLE resource_uses (
    org         BIGINT NOT NULL REFERENCES orgs(id),
    resource_id TEXT   NOT NULL REFERENCES resources(resource_id),
    used_on     BIGINT NOT NULL,
    PRIMARY KEY (org, resource_id, used_on)
);
