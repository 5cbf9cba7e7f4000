//! Reading runs and their jobs: by id, and filtered lists newest first with stable paging.

use super::rows::{self, JOB_COLUMNS, RUN_COLUMNS};
use super::{JobRecord, RunFilter, RunRecord, Store, StoreError};

/// Page size when the filter asks for none.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 1000;

impl Store {
    pub async fn run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reads)
            .await?;
        row.as_ref().map(rows::run).transpose()
    }

    /// Newest first (creation time, then id, so runs created in the same millisecond page
    /// stably). `before` continues after that run; an unknown `before` gives an empty page.
    /// A `limit` of 0 means 50; at most 1000.
    pub async fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StoreError> {
        let mut clauses = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut condition = |clause: &str, value: String| {
            texts.push(value);
            clauses.push(clause.replace('?', &format!("${}", texts.len())));
        };
        if let Some(commit) = &filter.commit {
            condition("commit_sha = ?", commit.clone());
        }
        if let Some(branch) = &filter.branch {
            condition("branch = ?", branch.clone());
        }
        if let Some(state) = filter.state {
            condition("state = ?", state.as_str().to_string());
        }
        let mut after = None;
        if let Some(before) = &filter.before {
            let Some(run) = self.run(before).await? else {
                return Ok(Vec::new());
            };
            let (created, id) = (texts.len() + 1, texts.len() + 2);
            clauses.push(format!(
                "(created_at < ${created} OR (created_at = ${created} AND id < ${id}))"
            ));
            after = Some((run.created_at, run.id));
        }
        let limit = match filter.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let mut sql = format!("SELECT {RUN_COLUMNS} FROM runs");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT {limit}"));
        let mut query = sqlx::query(&sql);
        for text in texts {
            query = query.bind(text);
        }
        if let Some((created, id)) = after {
            query = query.bind(created).bind(id);
        }
        let found = query.fetch_all(&self.reads).await?;
        found.iter().map(rows::run).collect()
    }

    /// The run's jobs in scenario order.
    pub async fn jobs(&self, run_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE run_id = $1 ORDER BY position");
        let found = sqlx::query(&sql)
            .bind(run_id)
            .fetch_all(&self.reads)
            .await?;
        found.iter().map(rows::job).collect()
    }
}
