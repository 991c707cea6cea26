-- The evidence database. Derived from the workspace files: delete and rebuild at will.
-- Every row that comes from a file keeps source_file and source_line.

CREATE TABLE bibliography (
    citekey VARCHAR PRIMARY KEY, entry_type VARCHAR, title VARCHAR, authors VARCHAR[], author_count INTEGER,
    first_author VARCHAR, journal VARCHAR, year INTEGER, volume VARCHAR, issue VARCHAR, pages VARCHAR,
    doi VARCHAR, pmid VARCHAR, pmcid VARCHAR, url VARCHAR, curated VARCHAR,
    source_file VARCHAR, source_line INTEGER
);

CREATE TABLE interventions (
    id VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, parent VARCHAR, synonyms VARCHAR[], description VARCHAR,
    kind VARCHAR NOT NULL  -- intervention, or comparator (placebo, vehicle, no treatment, baseline)
);

CREATE TABLE conditions (
    id VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, parent VARCHAR, synonyms VARCHAR[], description VARCHAR
);

CREATE TABLE studies (
    citekey VARCHAR PRIMARY KEY, design VARCHAR NOT NULL, evidence_level INTEGER, n INTEGER,
    studies_included INTEGER, population VARCHAR, skin_types VARCHAR, follow_up_months DOUBLE, funding VARCHAR,
    source_url VARCHAR, status VARCHAR, notes VARCHAR, includes VARCHAR, risk_of_bias VARCHAR,
    risk_of_bias_reason VARCHAR, included_designs VARCHAR, source_file VARCHAR, source_line INTEGER
);

CREATE TABLE claims (
    claim_id VARCHAR PRIMARY KEY, citekey VARCHAR NOT NULL, treatment VARCHAR, comparator VARCHAR,
    condition VARCHAR, outcome VARCHAR, measure VARCHAR, value DOUBLE, low DOUBLE, high DOUBLE, unit VARCHAR,
    "interval" VARCHAR, n INTEGER, sessions DOUBLE, downtime_days DOUBLE, direction VARCHAR,
    events_treatment INTEGER, total_treatment INTEGER, events_comparator INTEGER, total_comparator INTEGER,
    quote VARCHAR, locator VARCHAR, basis VARCHAR, endpoint VARCHAR, mean_treatment DOUBLE, sd_treatment DOUBLE,
    mean_comparator DOUBLE, sd_comparator DOUBLE, source_url VARCHAR, status VARCHAR, summary VARCHAR, dose VARCHAR,
    duration VARCHAR,
    source_file VARCHAR, source_line INTEGER
);

CREATE TABLE articles (
    slug VARCHAR PRIMARY KEY, title VARCHAR, outlet VARCHAR, url VARCHAR, published VARCHAR,
    experts VARCHAR[], body VARCHAR, body_line INTEGER, text_hash VARCHAR, source_file VARCHAR
);

CREATE TABLE article_references (
    slug VARCHAR, number INTEGER, printed VARCHAR, title VARCHAR, year VARCHAR, volume VARCHAR, issue VARCHAR,
    pages VARCHAR, matched_citekey VARCHAR, match_method VARCHAR, match_score DOUBLE, defects VARCHAR[],
    defect_messages VARCHAR[], source_line INTEGER,
    PRIMARY KEY (slug, number)
);

CREATE TABLE statements (
    slug VARCHAR, statement_id VARCHAR, number INTEGER, quote VARCHAR, kind VARCHAR, asserts VARCHAR,
    outcome VARCHAR, measure VARCHAR, cites VARCHAR[], start_offset INTEGER, end_offset INTEGER, prefix VARCHAR, suffix VARCHAR,
    anchor VARCHAR, current_text VARCHAR, anchor_score DOUBLE, note VARCHAR,
    source_file VARCHAR, source_line INTEGER,
    PRIMARY KEY (slug, statement_id)
);

CREATE TABLE links (
    slug VARCHAR, statement_id VARCHAR, claim_id VARCHAR, relation VARCHAR, note VARCHAR,
    source_file VARCHAR, source_line INTEGER
);

CREATE TABLE verdicts (
    slug VARCHAR, statement_id VARCHAR, verdict VARCHAR, computed_verdict VARCHAR, strength VARCHAR,
    reasons VARCHAR[], claims VARCHAR[], numeric_check VARCHAR, override_reason VARCHAR, blocking BOOLEAN,
    certainty VARCHAR, certainty_reasons VARCHAR[], outcome VARCHAR,
    PRIMARY KEY (slug, statement_id)
);

CREATE TABLE problems (
    slug VARCHAR, file VARCHAR, line INTEGER, code VARCHAR, severity VARCHAR, message VARCHAR, hint VARCHAR,
    field VARCHAR
);

-- What statements say about the studies they cite ("a 2007 meta-analysis of over 100 studies"), field by field.
CREATE TABLE attributions (
    slug VARCHAR, statement_id VARCHAR, phrase VARCHAR, field VARCHAR, citekey VARCHAR, article VARCHAR,
    source VARCHAR, status VARCHAR, code VARCHAR, message VARCHAR
);

CREATE TABLE uncovered (
    slug VARCHAR, start_offset INTEGER, end_offset INTEGER, line INTEGER, sentence VARCHAR, triggers VARCHAR[]
);

-- Fetched metadata (Crossref, NCBI, Europe PMC), filled by `evidence resolve`.
CREATE TABLE metadata (
    identifier VARCHAR, source VARCHAR, citekey VARCHAR, fetched_at VARCHAR, status VARCHAR, raw JSON,
    retracted BOOLEAN, notices JSON, mismatches JSON
);

-- Each claim's quote looked up in the cached source text (abstracts, open-access full text), by `build`.
-- status: exact | normalised | near | not_found | no_text; see `evidence verify --quotes` in README.md.
CREATE TABLE quote_checks (
    claim_id VARCHAR PRIMARY KEY, citekey VARCHAR, status VARCHAR NOT NULL, source VARCHAR, source_label VARCHAR,
    section VARCHAR, fetched_at VARCHAR, url VARCHAR, score DOUBLE, differences VARCHAR[], numbers_missing VARCHAR[],
    locator_agrees BOOLEAN, description VARCHAR
);

-- Pooled estimates (synthesis stage): one row per comparison and method; ratios on their natural scale.
-- A comparison that cannot be pooled (overlap, fewer than two results left) has one 'not pooled' row.
CREATE TABLE pooled_estimates (
    intervention VARCHAR, comparator VARCHAR, outcome VARCHAR, measure VARCHAR, statistic VARCHAR, k INTEGER,
    participants INTEGER, method VARCHAR, estimate DOUBLE, ci_low DOUBLE, ci_high DOUBLE, pi_low DOUBLE,
    pi_high DOUBLE, i2 DOUBLE, tau2 DOUBLE, q DOUBLE, q_df INTEGER, p_heterogeneity DOUBLE, claims VARCHAR[],
    studies VARCHAR[], weights DOUBLE[], study_estimates DOUBLE[], study_ci_low DOUBLE[], study_ci_high DOUBLE[],
    excluded VARCHAR[], notes VARCHAR[]
);

-- Certainty of the evidence per intervention and outcome (GRADE-lite), every step with its reason.
CREATE TABLE outcome_certainty (
    treatment VARCHAR, outcome VARCHAR, certainty VARCHAR, reasons VARCHAR[], studies INTEGER,
    participants INTEGER, claims VARCHAR[], comparators VARCHAR[]
);

CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR);
