-- One row per cluster that runs a flow: the primary key makes a second start of a flow for the same cluster fail
-- inside the starting transaction, on every replica and through every API. Taken by a process-start listener,
-- given back by the process-end listener (also on cancel and delete). The same text runs on H2, PostgreSQL and
-- MySQL/MariaDB; ${prefix} is the engine's table prefix, so the table sits beside ACT_RU_EXECUTION.
CREATE TABLE IF NOT EXISTS ${prefix}PS_CLUSTER_FLOW (
    CLUSTER_ VARCHAR(255) NOT NULL,
    PROC_INST_ID_ VARCHAR(64) NOT NULL,
    PROC_DEF_KEY_ VARCHAR(255) NOT NULL,
    STARTED_ TIMESTAMP,
    PRIMARY KEY (CLUSTER_)
)
