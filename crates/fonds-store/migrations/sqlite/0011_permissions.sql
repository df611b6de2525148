-- Fonds embedded schema, version 11: departments, roles, grants with data scope and expiry,
-- scoped API tokens, and the department and secrecy level of records (docs/people.md).
-- Never edit after release.

-- Departments form a tree per fonds. `path` is the chain of codes from the root, `/FIN/FIN-AP/`,
-- so that "this department and everything below it" is a prefix test.
CREATE TABLE departments (
    fonds_code  TEXT NOT NULL REFERENCES fonds (code),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Za-z0-9_-]*'),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    parent_code TEXT,
    path        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (fonds_code, code),
    FOREIGN KEY (fonds_code, parent_code) REFERENCES departments (fonds_code, code)
) STRICT;
CREATE INDEX departments_path ON departments (fonds_code, path);

CREATE TRIGGER departments_never_deleted BEFORE DELETE ON departments
BEGIN
    SELECT RAISE(ABORT, 'departments are never deleted: records and grants name them');
END;

-- The built-in roles and their permissions, as fonds-domain defines them (a test keeps the two
-- in step). `officer` names the officer of 三员分立 a role makes its holder, if any.
CREATE TABLE roles (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    officer TEXT CHECK (officer IN ('system_administrator', 'security_officer', 'security_auditor'))
) STRICT;

CREATE TABLE role_permissions (
    role       TEXT NOT NULL REFERENCES roles (code),
    permission TEXT NOT NULL,
    PRIMARY KEY (role, permission)
) STRICT;

INSERT INTO roles (code, name, officer) VALUES
    ('system_administrator', '系统管理员', 'system_administrator'),
    ('security_officer', '系统安全保密员', 'security_officer'),
    ('security_auditor', '系统安全审计员', 'security_auditor'),
    ('archivist', '档案管理员', NULL),
    ('accountant', '会计', NULL),
    ('finance_head', '财务负责人', NULL),
    ('reader', '查阅人', NULL),
    ('internal_auditor', '内审', NULL);

INSERT INTO role_permissions (role, permission) VALUES
    ('system_administrator', 'system.users'),
    ('system_administrator', 'system.configure'),
    ('system_administrator', 'system.backups'),
    ('system_administrator', 'system.clients'),
    ('security_officer', 'system.roles'),
    ('security_auditor', 'audit.read'),
    ('archivist', 'record.read'),
    ('archivist', 'file.read'),
    ('archivist', 'file.download'),
    ('archivist', 'file.print'),
    ('archivist', 'record.submit'),
    ('archivist', 'record.archive'),
    ('archivist', 'record.correct'),
    ('archivist', 'borrow.approve'),
    ('archivist', 'record.transfer'),
    ('archivist', 'record.appraise'),
    ('archivist', 'record.destroy'),
    ('accountant', 'record.read'),
    ('accountant', 'file.read'),
    ('accountant', 'file.download'),
    ('accountant', 'file.print'),
    ('accountant', 'record.submit'),
    ('accountant', 'borrow.request'),
    ('finance_head', 'record.read'),
    ('finance_head', 'file.read'),
    ('finance_head', 'file.download'),
    ('finance_head', 'file.print'),
    ('finance_head', 'borrow.request'),
    ('finance_head', 'borrow.approve'),
    ('finance_head', 'record.appraise'),
    ('reader', 'record.read'),
    ('reader', 'file.read'),
    ('reader', 'borrow.request'),
    ('internal_auditor', 'record.read'),
    ('internal_auditor', 'file.read'),
    ('internal_auditor', 'file.download'),
    ('internal_auditor', 'file.print'),
    ('internal_auditor', 'borrow.request');

CREATE TRIGGER roles_fixed_insert BEFORE INSERT ON roles
BEGIN
    SELECT RAISE(ABORT, 'the built-in roles are fixed');
END;
CREATE TRIGGER roles_fixed_update BEFORE UPDATE ON roles
BEGIN
    SELECT RAISE(ABORT, 'the built-in roles are fixed');
END;
CREATE TRIGGER roles_fixed_delete BEFORE DELETE ON roles
BEGIN
    SELECT RAISE(ABORT, 'the built-in roles are fixed');
END;
CREATE TRIGGER role_permissions_fixed_insert BEFORE INSERT ON role_permissions
BEGIN
    SELECT RAISE(ABORT, 'the built-in roles are fixed');
END;
CREATE TRIGGER role_permissions_fixed_update BEFORE UPDATE ON role_permissions
BEGIN
    SELECT RAISE(ABORT, 'the built-in roles are fixed');
END;
CREATE TRIGGER role_permissions_fixed_delete BEFORE DELETE ON role_permissions
BEGIN
    SELECT RAISE(ABORT, 'the built-in roles are fixed');
END;

-- A role given to a person over a data scope (JSON, as fonds-domain's DataScope serialises),
-- until `expires_at` if set. A grant is never deleted or changed, only revoked once.
CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL REFERENCES roles (code),
    scope       TEXT NOT NULL CHECK (json_valid(scope)),
    expires_at  TEXT,
    granted_by  TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
) STRICT;
CREATE INDEX grants_by_user ON grants (user_id) WHERE revoked_at IS NULL;

-- 三员分立, held by the database too: an officer's role is held alone. While a person holds a
-- grant that is not revoked (expired or not), no grant may be added beside it if either is an
-- officer's role.
CREATE TRIGGER grants_three_officers BEFORE INSERT ON grants
WHEN EXISTS (
    SELECT 1 FROM grants g
    JOIN roles held ON held.code = g.role
    JOIN roles added ON added.code = NEW.role
    WHERE g.user_id = NEW.user_id AND g.revoked_at IS NULL
      AND (held.officer IS NOT NULL OR added.officer IS NOT NULL)
)
BEGIN
    SELECT RAISE(ABORT, 'three-officer separation: an officer role is held alone');
END;

CREATE TRIGGER grants_only_revoked BEFORE UPDATE ON grants
WHEN OLD.revoked_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.user_id IS NOT OLD.user_id OR NEW.role IS NOT OLD.role
  OR NEW.scope IS NOT OLD.scope OR NEW.expires_at IS NOT OLD.expires_at
  OR NEW.granted_by IS NOT OLD.granted_by OR NEW.granted_at IS NOT OLD.granted_at
BEGIN
    SELECT RAISE(ABORT, 'a grant is never changed, only revoked once');
END;

CREATE TRIGGER grants_never_deleted BEFORE DELETE ON grants
BEGIN
    SELECT RAISE(ABORT, 'grants are never deleted, only revoked');
END;

-- An API token carries its own permissions (JSON array of codes), data scope and expiry. Tokens
-- issued before this version keep what they could do: the operational set of docs/people.md
-- over every record.
ALTER TABLE api_tokens ADD COLUMN permissions TEXT NOT NULL CHECK (json_valid(permissions))
    DEFAULT '["record.read","file.read","file.download","file.print","record.submit","record.archive","record.correct","borrow.request","borrow.approve","record.transfer","record.appraise","record.destroy","system.configure","system.backups","system.clients"]';
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL CHECK (json_valid(scope))
    DEFAULT '{"fonds":"all","departments":"all","kinds":"all","fiscal_years":null,"highest_secrecy":"secret"}';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;

-- A record's department (a code in its fonds' tree, or none) and secrecy level (密级) as a rank:
-- 0 public 公开, 1 internal 内部 (the default), 2 confidential 秘密, 3 secret 机密.
ALTER TABLE records ADD COLUMN department TEXT;
ALTER TABLE records ADD COLUMN secrecy INTEGER NOT NULL DEFAULT 1 CHECK (secrecy BETWEEN 0 AND 3);
CREATE INDEX records_department ON records (fonds_code, department);
