-- Fonds embedded schema, version 15: a check run's results are kept one row per record — the
-- outcomes of the record's items and files as a JSON array, in report order — instead of one row
-- per item. A run over a few hundred records writes a few hundred rows, not thousands, which is
-- most of what storing a run cost (issue 4's throughput target). The results of earlier runs are
-- carried over unchanged in content and order. Never edit after release.

CREATE TABLE check_record_results (
    run_id     TEXT NOT NULL REFERENCES check_runs (id),
    seq        INTEGER NOT NULL,              -- the record's place in the run's report
    record_id  TEXT REFERENCES records (id),  -- NULL for a record of a refused submission
    record_key TEXT NOT NULL,
    -- [{"item", "severity", "outcome", "reason", "evidence", "file_id", "file_name",
    --   "checked_at"}, …] with the meanings of the columns of `check_results` in version 7.
    results    TEXT NOT NULL CHECK (json_valid(results) AND json_type(results) = 'array'),
    PRIMARY KEY (run_id, seq)
) STRICT;
CREATE INDEX check_record_results_record ON check_record_results (record_id, run_id);

INSERT INTO check_record_results (run_id, seq, record_id, record_key, results)
SELECT run_id, MIN(seq), record_id, record_key,
       json_group_array(
           json_object('item', item, 'severity', severity, 'outcome', outcome, 'reason', reason,
                       'evidence', evidence, 'file_id', file_id, 'file_name', file_name,
                       'checked_at', checked_at)
           ORDER BY seq)
FROM check_results
GROUP BY run_id, record_key, record_id;

DROP TABLE check_results;

CREATE TRIGGER check_record_results_never_updated BEFORE UPDATE ON check_record_results
BEGIN
    SELECT RAISE(ABORT, 'check results are never changed; a new run is added beside them');
END;
CREATE TRIGGER check_record_results_never_deleted BEFORE DELETE ON check_record_results
BEGIN
    SELECT RAISE(ABORT, 'check results are never deleted');
END;
