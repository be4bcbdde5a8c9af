//! The SQL both backends share. The statements are written once, in the dialect
//! SQLite and PostgreSQL both speak (`$n` parameters, `ON CONFLICT … DO UPDATE`,
//! `RETURNING`), and this macro implements [`super::Store`] with them for a backend
//! type that provides:
//!
//! - `pool: sqlx::Pool<DB>`
//! - `async fn notify_in_tx(&self, &mut DB::Connection, Poke)` and
//!   `fn notify_committed(&self, Poke)`: how pokes travel (in-process broadcast on
//!   SQLite; `pg_notify`, delivered at commit to every instance, on PostgreSQL),
//! - `async fn begin_read(&self) -> Transaction<DB>`: a transaction whose reads all
//!   see one state.
//!
//! Every write transaction starts with a write (an `UPDATE … RETURNING`), so SQLite
//! takes its write lock first (no lock upgrade that `busy_timeout` cannot wait out)
//! and PostgreSQL locks the workspace's counter row, which serializes the pushers
//! of one workspace: sequence order is commit order.

macro_rules! sql_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use std::collections::BTreeMap;

            use kith_protocol::sync::{
                Checksum, ChecksumResponse, MAX_PAGE_BYTES, PullResponse, PushResponse, SeqMark,
                SnapshotResponse, StaffAccount, Workspace,
            };
            use kith_protocol::{schema, Change, Hlc, NodeId, Value};
            use futures_util::TryStreamExt;
            use sqlx::Row;
            use tokio::sync::broadcast;
            use uuid::Uuid;

            use $crate::error::StoreError;
            use $crate::store::rows::{
                change_from_row, cut_page, fields_json, group_fields, now_ms, parse_role,
                parse_uuid, parse_value, role_str, server_node, staff_color, value_json,
                FieldRow, MIN_SNAPSHOT_FIELDS,
            };
            use $crate::store::{
                AccountRecord, DeviceAuth, DeviceRecord, NewAccount, Poke, Registered, SnapshotCursor,
            };

            type Conn = <$db as sqlx::Database>::Connection;

            /// Reserves `n` sequence numbers of the workspace; returns the new head.
            async fn bump_head(conn: &mut Conn, ws: Uuid, n: u64) -> Result<u64, StoreError> {
                let head: Option<i64> = sqlx::query_scalar(
                    "UPDATE workspaces SET head = head + $1 WHERE id = $2 RETURNING head",
                )
                .bind(n as i64)
                .bind(ws.to_string())
                .fetch_optional(&mut *conn)
                .await?;
                head.map(|h| h as u64)
                    .ok_or_else(|| StoreError::NotFound(format!("workspace {ws}")))
            }

            /// Removes some keys whose newest attempt left the window (they count
            /// nothing any more), so a flood of addresses cannot grow the table for
            /// good. At most a few at a time, oldest first (one order for every
            /// instance's sweeps); a sweep that fails is only logged: the attempt
            /// it follows was counted and must still get its answer.
            async fn sweep_login_attempts(pool: &sqlx::Pool<$db>, now: i64) {
                let swept = sqlx::query(
                    "DELETE FROM login_attempts WHERE key_hash IN \
                     (SELECT key_hash FROM login_attempts WHERE last_at <= $1 \
                      ORDER BY last_at LIMIT 64)",
                )
                .bind(now - $crate::ratelimit::WINDOW_MS)
                .execute(pool)
                .await;
                if let Err(e) = swept {
                    tracing::warn!(error = %e, "could not sweep old sign-in attempts");
                }
            }

            /// Rows per multi-row INSERT: 8,000 parameters at most, well below
            /// either database's limit.
            const APPEND_ROWS: usize = 1_000;

            /// `($1, $2, …), ($n+1, …), …` for `rows` rows of `per_row` parameters,
            /// in the backend's placeholders.
            fn numbered(rows: usize, per_row: usize) -> String {
                (0..rows)
                    .map(|r| {
                        let row = (1..=per_row)
                            .map(|c| <$store>::placeholder(r * per_row + c))
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!("({row})")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }

            /// Appends `changes` at the sequences from `first_seq` (with device
            /// counters from `first_counter`, when a device pushed them) and merges
            /// their fields into `field_state`, last writer wins by (hlc, node). Many
            /// rows to a statement: a statement per field made a desktop's first push
            /// of 100,000 users take a minute and a half.
            async fn append(
                conn: &mut Conn,
                ws: Uuid,
                first_seq: u64,
                first_counter: Option<u64>,
                changes: &[Change],
            ) -> Result<(), StoreError> {
                let ws = ws.to_string();
                for (n, chunk) in changes.chunks(APPEND_ROWS).enumerate() {
                    let sql = format!(
                        "INSERT INTO changes \
                         (workspace_id, seq, node, device_counter, tbl, row_id, hlc, fields) \
                         VALUES {}",
                        numbered(chunk.len(), 8)
                    );
                    let mut q = sqlx::query(&sql);
                    for (i, change) in chunk.iter().enumerate() {
                        let i = (n * APPEND_ROWS + i) as u64;
                        q = q
                            .bind(ws.clone())
                            .bind((first_seq + i) as i64)
                            .bind(change.node.to_string())
                            .bind(first_counter.map(|c| (c + i) as i64))
                            .bind(change.table.clone())
                            .bind(change.row.to_string())
                            .bind(change.hlc.as_i64())
                            .bind(fields_json(&change.fields));
                    }
                    q.execute(&mut *conn).await?;
                }
                // The batch's own winner of each field first: PostgreSQL refuses a
                // statement that updates one row twice. The stored value is then
                // compared in SQL, by the same rule.
                let mut winners: BTreeMap<(&str, Uuid, &str), (i64, String, &Value)> =
                    BTreeMap::new();
                for change in changes {
                    let stamp = (change.hlc.as_i64(), change.node.to_string());
                    for (column, value) in &change.fields {
                        let key = (change.table.as_str(), change.row, column.as_str());
                        let newer = winners
                            .get(&key)
                            .map_or(true, |(hlc, node, _)| (stamp.0, &stamp.1) > (*hlc, node));
                        if newer {
                            winners.insert(key, (stamp.0, stamp.1.clone(), value));
                        }
                    }
                }
                let winners: Vec<_> = winners.into_iter().collect();
                for chunk in winners.chunks(APPEND_ROWS) {
                    let sql = format!(
                        "INSERT INTO field_state \
                         (workspace_id, tbl, row_id, col, value, hlc, node) VALUES {} \
                         ON CONFLICT (workspace_id, tbl, row_id, col) DO UPDATE \
                         SET value = excluded.value, hlc = excluded.hlc, node = excluded.node \
                         WHERE excluded.hlc > field_state.hlc \
                            OR (excluded.hlc = field_state.hlc AND excluded.node > field_state.node)",
                        numbered(chunk.len(), 7)
                    );
                    let mut q = sqlx::query(&sql);
                    for ((table, row, column), (hlc, node, value)) in chunk {
                        q = q
                            .bind(ws.clone())
                            .bind((*table).to_owned())
                            .bind(row.to_string())
                            .bind((*column).to_owned())
                            .bind(value_json(value))
                            .bind(*hlc)
                            .bind(node.clone());
                    }
                    q.execute(&mut *conn).await?;
                }
                Ok(())
            }

            /// Appends a change of the workspace's server node to the staff record
            /// `account`, stamped after every earlier change of that node.
            async fn append_staff_change(
                conn: &mut Conn,
                ws: Uuid,
                account: Uuid,
                fields: BTreeMap<String, Value>,
            ) -> Result<u64, StoreError> {
                let node = server_node(ws);
                // The head and the server node's clock in one locked update: no scan
                // of the log, and writers of one workspace take turns.
                let now = Hlc::new(now_ms() as u64, 0);
                let row = sqlx::query(
                    "UPDATE workspaces SET head = head + 1, \
                         server_hlc = CASE WHEN server_hlc >= $1 THEN server_hlc + 1 ELSE $1 END \
                     WHERE id = $2 RETURNING head, server_hlc",
                )
                .bind(now.as_i64())
                .bind(ws.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("workspace {ws}")))?;
                let seq = row.try_get::<i64, _>("head")? as u64;
                let hlc = Hlc::from_i64(row.try_get("server_hlc")?);
                let change = Change {
                    table: schema::STAFF.name.to_owned(),
                    row: account,
                    hlc,
                    node,
                    fields,
                };
                append(conn, ws, seq, None, std::slice::from_ref(&change)).await?;
                Ok(seq)
            }

            /// Revokes the live row `id` of the workspace in `table` (devices, API
            /// keys); false when there is none.
            async fn revoke(
                pool: &sqlx::Pool<$db>,
                table: &'static str,
                ws: Uuid,
                id: Uuid,
            ) -> Result<bool, StoreError> {
                // `table` is one of this file's literals, never input.
                let sql = format!(
                    "UPDATE {table} SET revoked_at = $1 \
                     WHERE id = $2 AND workspace_id = $3 AND revoked_at IS NULL"
                );
                let res = sqlx::query(&sql)
                    .bind(now_ms())
                    .bind(id.to_string())
                    .bind(ws.to_string())
                    .execute(pool)
                    .await?;
                Ok(res.rows_affected() > 0)
            }

            fn unique_violation(e: &sqlx::Error) -> bool {
                matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
            }

            #[async_trait::async_trait]
            impl $crate::store::Store for $store {
                async fn create_workspace(&self, name: &str) -> Result<Workspace, StoreError> {
                    let id = Uuid::new_v4();
                    let res = sqlx::query(
                        "INSERT INTO workspaces (id, name, head, created_at) VALUES ($1, $2, 0, $3)",
                    )
                    .bind(id.to_string())
                    .bind(name)
                    .bind(now_ms())
                    .execute(&self.pool)
                    .await;
                    match res {
                        Err(e) if unique_violation(&e) => Err(StoreError::Conflict(format!(
                            "a workspace named {name:?} exists"
                        ))),
                        Err(e) => Err(e.into()),
                        Ok(_) => Ok(Workspace {
                            id,
                            name: name.to_owned(),
                        }),
                    }
                }

                async fn workspace_by_name(
                    &self,
                    name: &str,
                ) -> Result<Option<Workspace>, StoreError> {
                    let id: Option<String> =
                        sqlx::query_scalar("SELECT id FROM workspaces WHERE name = $1")
                            .bind(name)
                            .fetch_optional(&self.pool)
                            .await?;
                    id.map(|id| {
                        Ok(Workspace {
                            id: parse_uuid(&id)?,
                            name: name.to_owned(),
                        })
                    })
                    .transpose()
                }

                async fn add_account(
                    &self,
                    workspace: Uuid,
                    account: &NewAccount,
                ) -> Result<Uuid, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    // A removed account comes back with its old id (so desktops see
                    // its staff record revived) and the new name, password and role.
                    let revived: Option<String> = sqlx::query_scalar(
                        "UPDATE accounts SET removed = FALSE, name = $1, password_hash = $2, \
                             role = $3 \
                         WHERE workspace_id = $4 AND email = $5 AND removed RETURNING id",
                    )
                    .bind(&account.name)
                    .bind(&account.password_hash)
                    .bind(role_str(account.role))
                    .bind(workspace.to_string())
                    .bind(&account.email)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let id = match revived {
                        Some(id) => parse_uuid(&id)?,
                        None => {
                            let res = sqlx::query(
                                "INSERT INTO accounts \
                                 (id, workspace_id, email, name, password_hash, role, removed, \
                                  created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)",
                            )
                            .bind(account.id.to_string())
                            .bind(workspace.to_string())
                            .bind(&account.email)
                            .bind(&account.name)
                            .bind(&account.password_hash)
                            .bind(role_str(account.role))
                            .bind(now_ms())
                            .execute(&mut *tx)
                            .await;
                            match res {
                                Err(e) if unique_violation(&e) => {
                                    return Err(StoreError::Conflict(format!(
                                        "{} already has an account in this workspace",
                                        account.email
                                    )))
                                }
                                Err(e) => return Err(e.into()),
                                Ok(_) => account.id,
                            }
                        }
                    };
                    let fields = BTreeMap::from([
                        ("name".to_owned(), Value::from(account.name.as_str())),
                        ("email".to_owned(), Value::from(account.email.as_str())),
                        ("color".to_owned(), Value::from(staff_color(id))),
                        (schema::DELETED.to_owned(), Value::Bool(false)),
                    ]);
                    let head = append_staff_change(&mut tx, workspace, id, fields).await?;
                    let poke = Poke { workspace, head, device: None };
                    self.notify_in_tx(&mut tx, poke).await?;
                    tx.commit().await?;
                    self.notify_committed(poke);
                    Ok(id)
                }

                async fn remove_account(
                    &self,
                    workspace: Uuid,
                    email: &str,
                ) -> Result<Uuid, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let id: Option<String> = sqlx::query_scalar(
                        "UPDATE accounts SET removed = TRUE \
                         WHERE workspace_id = $1 AND email = $2 AND NOT removed RETURNING id",
                    )
                    .bind(workspace.to_string())
                    .bind(email)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let id = parse_uuid(
                        &id.ok_or_else(|| StoreError::NotFound(format!("account {email}")))?,
                    )?;
                    sqlx::query(
                        "UPDATE devices SET revoked_at = $1 \
                         WHERE account_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(now_ms())
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                    let fields =
                        BTreeMap::from([(schema::DELETED.to_owned(), Value::Bool(true))]);
                    let head = append_staff_change(&mut tx, workspace, id, fields).await?;
                    let poke = Poke { workspace, head, device: None };
                    self.notify_in_tx(&mut tx, poke).await?;
                    tx.commit().await?;
                    self.notify_committed(poke);
                    Ok(id)
                }

                async fn accounts_by_email(
                    &self,
                    email: &str,
                ) -> Result<Vec<AccountRecord>, StoreError> {
                    let rows = sqlx::query(
                        "SELECT a.id, a.name, a.email, a.role, a.password_hash, \
                                w.id AS ws_id, w.name AS ws_name \
                         FROM accounts a JOIN workspaces w ON w.id = a.workspace_id \
                         WHERE a.email = $1 AND NOT a.removed ORDER BY w.name",
                    )
                    .bind(email)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(AccountRecord {
                                workspace: Workspace {
                                    id: parse_uuid(&r.try_get::<String, _>("ws_id")?)?,
                                    name: r.try_get("ws_name")?,
                                },
                                account: StaffAccount {
                                    id: parse_uuid(&r.try_get::<String, _>("id")?)?,
                                    name: r.try_get("name")?,
                                    email: r.try_get("email")?,
                                    role: parse_role(&r.try_get::<String, _>("role")?)?,
                                },
                                password_hash: r.try_get("password_hash")?,
                            })
                        })
                        .collect()
                }

                async fn upsert_device(
                    &self,
                    workspace: Uuid,
                    account: Uuid,
                    node: NodeId,
                    name: &str,
                    token_hash: &str,
                ) -> Result<Registered, StoreError> {
                    let now = now_ms();
                    // A node registered to another account is taken over only once
                    // that device is revoked: otherwise a staff member could sign in
                    // with a colleague's node and its counters. Counters are kept, so
                    // the desktop's outbox continues where the server stands.
                    let row: Option<(String, i64)> = sqlx::query_as(
                        "INSERT INTO devices (id, workspace_id, node, name, account_id, \
                             token_hash, acked, revoked_at, last_seen, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, $7, $7) \
                         ON CONFLICT (workspace_id, node) DO UPDATE \
                         SET name = excluded.name, account_id = excluded.account_id, \
                             token_hash = excluded.token_hash, revoked_at = NULL, \
                             last_seen = excluded.last_seen \
                         WHERE devices.account_id = excluded.account_id \
                            OR devices.revoked_at IS NOT NULL \
                         RETURNING id, acked",
                    )
                    .bind(Uuid::new_v4().to_string())
                    .bind(workspace.to_string())
                    .bind(node.to_string())
                    .bind(name)
                    .bind(account.to_string())
                    .bind(token_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?;
                    let (id, acked) = row.ok_or_else(|| {
                        StoreError::NodeTaken(format!(
                            "node {node} is registered to another staff member's device; \
                             an owner must revoke that device first"
                        ))
                    })?;
                    Ok(Registered {
                        id: parse_uuid(&id)?,
                        acked: u64::try_from(acked).unwrap_or(0),
                    })
                }

                async fn device_by_token(
                    &self,
                    token_hash: &str,
                ) -> Result<Option<DeviceAuth>, StoreError> {
                    let row = sqlx::query(
                        "SELECT d.id, d.workspace_id, d.account_id, d.node, a.role \
                         FROM devices d JOIN accounts a ON a.id = d.account_id \
                         WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND NOT a.removed",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(r) = row else { return Ok(None) };
                    Ok(Some(DeviceAuth {
                        device: parse_uuid(&r.try_get::<String, _>("id")?)?,
                        workspace: parse_uuid(&r.try_get::<String, _>("workspace_id")?)?,
                        account: parse_uuid(&r.try_get::<String, _>("account_id")?)?,
                        node: NodeId(parse_uuid(&r.try_get::<String, _>("node")?)?),
                        role: parse_role(&r.try_get::<String, _>("role")?)?,
                    }))
                }

                async fn revoke_device(
                    &self,
                    workspace: Uuid,
                    device: Uuid,
                ) -> Result<bool, StoreError> {
                    revoke(&self.pool, "devices", workspace, device).await
                }

                async fn list_devices(
                    &self,
                    workspace: Uuid,
                ) -> Result<Vec<DeviceRecord>, StoreError> {
                    let rows = sqlx::query(
                        "SELECT d.id, d.node, d.name, d.account_id, a.email, d.acked, \
                                d.last_seen, d.revoked_at \
                         FROM devices d JOIN accounts a ON a.id = d.account_id \
                         WHERE d.workspace_id = $1 ORDER BY d.created_at, d.id",
                    )
                    .bind(workspace.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(DeviceRecord {
                                id: parse_uuid(&r.try_get::<String, _>("id")?)?,
                                node: parse_uuid(&r.try_get::<String, _>("node")?)?,
                                name: r.try_get("name")?,
                                account: parse_uuid(&r.try_get::<String, _>("account_id")?)?,
                                email: r.try_get("email")?,
                                acked: r.try_get::<i64, _>("acked")? as u64,
                                last_seen: r.try_get("last_seen")?,
                                revoked_at: r.try_get("revoked_at")?,
                            })
                        })
                        .collect()
                }

                async fn create_api_key(
                    &self,
                    workspace: Uuid,
                    name: &str,
                    key_hash: &str,
                ) -> Result<Uuid, StoreError> {
                    let id = Uuid::new_v4();
                    sqlx::query(
                        "INSERT INTO api_keys (id, workspace_id, name, key_hash, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id.to_string())
                    .bind(workspace.to_string())
                    .bind(name)
                    .bind(key_hash)
                    .bind(now_ms())
                    .execute(&self.pool)
                    .await?;
                    Ok(id)
                }

                async fn revoke_api_key(&self, workspace: Uuid, id: Uuid) -> Result<bool, StoreError> {
                    revoke(&self.pool, "api_keys", workspace, id).await
                }

                async fn workspace_by_api_key(
                    &self,
                    key_hash: &str,
                ) -> Result<Option<Uuid>, StoreError> {
                    let found: Option<String> = sqlx::query_scalar(
                        "SELECT workspace_id FROM api_keys \
                         WHERE key_hash = $1 AND revoked_at IS NULL",
                    )
                    .bind(key_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                    found.as_deref().map(parse_uuid).transpose()
                }

                async fn count_login_attempt(
                    &self,
                    key: &str,
                    now: i64,
                ) -> Result<Result<(), u64>, StoreError> {
                    use $crate::ratelimit;
                    let mut tx = self.pool.begin().await?;
                    // A write first: it locks the key's row until the count is
                    // written (and takes SQLite's write lock up front).
                    let times: String = sqlx::query_scalar(
                        "INSERT INTO login_attempts (key_hash, times, last_at) VALUES ($1, '', $2) \
                         ON CONFLICT (key_hash) DO UPDATE SET last_at = login_attempts.last_at \
                         RETURNING times",
                    )
                    .bind(key)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    let counted = ratelimit::decode(&times);
                    let mut times = counted.clone();
                    let verdict = ratelimit::admit(&mut times, now);
                    // A refused attempt with nothing aged out changes nothing: a key
                    // hammered while locked out costs no second write.
                    if times != counted {
                        sqlx::query(
                            "UPDATE login_attempts SET times = $1, last_at = $2 WHERE key_hash = $3",
                        )
                        .bind(ratelimit::encode(&times))
                        .bind(times.last().copied().unwrap_or(now))
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    if verdict.is_ok() {
                        sweep_login_attempts(&self.pool, now).await;
                    }
                    Ok(verdict)
                }

                async fn uncount_login_attempt(&self, key: &str) -> Result<(), StoreError> {
                    use $crate::ratelimit;
                    let mut tx = self.pool.begin().await?;
                    let times: Option<String> = sqlx::query_scalar(
                        "UPDATE login_attempts SET last_at = last_at WHERE key_hash = $1 \
                         RETURNING times",
                    )
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(times) = times {
                        let mut times = ratelimit::decode(&times);
                        times.pop();
                        sqlx::query("UPDATE login_attempts SET times = $1 WHERE key_hash = $2")
                            .bind(ratelimit::encode(&times))
                            .bind(key)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn clear_login_attempts(&self, key: &str) -> Result<(), StoreError> {
                    sqlx::query("DELETE FROM login_attempts WHERE key_hash = $1")
                        .bind(key)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn push(
                    &self,
                    workspace: Uuid,
                    device: Uuid,
                    first_counter: u64,
                    changes: &[Change],
                ) -> Result<PushResponse, StoreError> {
                    if first_counter == 0 {
                        return Err(StoreError::BadRequest("counters start at 1".into()));
                    }
                    let mut tx = self.pool.begin().await?;
                    // A write first: it locks the device row, so one device's pushes
                    // are checked against the counter one at a time.
                    let dev = sqlx::query(
                        "UPDATE devices SET last_seen = $1 \
                         WHERE id = $2 AND workspace_id = $3 AND revoked_at IS NULL \
                         RETURNING acked, node",
                    )
                    .bind(now_ms())
                    .bind(device.to_string())
                    .bind(workspace.to_string())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("device {device}")))?;
                    let acked = dev.try_get::<i64, _>("acked")? as u64;
                    let node: String = dev.try_get("node")?;
                    if first_counter > acked + 1 {
                        return Err(StoreError::CounterGap { expected: acked + 1 });
                    }
                    // Changes up to `acked` are held already (a retried push) — if
                    // they are the same changes. Different ones under counters the
                    // server holds mean two stores write as this node.
                    let skip = usize::try_from(acked + 1 - first_counter).unwrap_or(usize::MAX);
                    let held = &changes[..skip.min(changes.len())];
                    if !held.is_empty() {
                        let last = first_counter + held.len() as u64 - 1;
                        let rows = sqlx::query(
                            "SELECT device_counter, tbl, row_id, hlc FROM changes \
                             WHERE workspace_id = $1 AND node = $2 \
                               AND device_counter >= $3 AND device_counter <= $4",
                        )
                        .bind(workspace.to_string())
                        .bind(&node)
                        .bind(first_counter as i64)
                        .bind(last as i64)
                        .fetch_all(&mut *tx)
                        .await?;
                        let mut stored = std::collections::HashMap::with_capacity(rows.len());
                        for r in &rows {
                            let counter = r.try_get::<i64, _>("device_counter")? as u64;
                            let tbl: String = r.try_get("tbl")?;
                            let row: String = r.try_get("row_id")?;
                            let hlc: i64 = r.try_get("hlc")?;
                            stored.insert(counter, (tbl, row, hlc));
                        }
                        for (i, c) in held.iter().enumerate() {
                            let counter = first_counter + i as u64;
                            let same = stored.get(&counter).is_some_and(|(t, r, h)| {
                                *t == c.table && *r == c.row.to_string() && *h == c.hlc.as_i64()
                            });
                            if !same {
                                return Err(StoreError::NodeConflict(format!(
                                    "the server holds a different change under counter \
                                     {counter} of node {node}: two stores write as this node \
                                     (a restored backup or a cloned disk?); this store needs \
                                     a new node id"
                                )));
                            }
                        }
                    }
                    let fresh = changes.get(skip..).unwrap_or(&[]);
                    if fresh.is_empty() {
                        let head: i64 =
                            sqlx::query_scalar("SELECT head FROM workspaces WHERE id = $1")
                                .bind(workspace.to_string())
                                .fetch_one(&mut *tx)
                                .await?;
                        tx.commit().await?;
                        return Ok(PushResponse { acked, head: head as u64 });
                    }
                    let n = fresh.len() as u64;
                    let head = bump_head(&mut tx, workspace, n).await?;
                    let first_seq = head - n + 1;
                    let first_new = acked + 1;
                    append(&mut tx, workspace, first_seq, Some(first_new), fresh).await?;
                    let new_acked = acked + n;
                    sqlx::query("UPDATE devices SET acked = $1 WHERE id = $2")
                        .bind(new_acked as i64)
                        .bind(device.to_string())
                        .execute(&mut *tx)
                        .await?;
                    let poke = Poke { workspace, head, device: Some(device) };
                    self.notify_in_tx(&mut tx, poke).await?;
                    tx.commit().await?;
                    self.notify_committed(poke);
                    Ok(PushResponse { acked: new_acked, head })
                }

                async fn pull(
                    &self,
                    workspace: Uuid,
                    since: u64,
                    limit: u32,
                    exclude: Option<NodeId>,
                ) -> Result<PullResponse, StoreError> {
                    let limit = limit.clamp(1, kith_protocol::sync::MAX_PAGE) as usize;
                    // The head first: every sequence up to it is committed, so the
                    // page below has no holes a later commit could fill.
                    let head = self.head(workspace).await?;
                    if since > head {
                        return Err(StoreError::Behind(format!(
                            "since {since} is past the workspace's head {head}: \
                             the server has lost changes (restored from a backup?)"
                        )));
                    }
                    let mut rows = sqlx::query(
                        "SELECT seq, tbl, row_id, hlc, node, fields FROM changes \
                         WHERE workspace_id = $1 AND seq > $2 AND seq <= $3 AND node <> $4 \
                         ORDER BY seq LIMIT $5",
                    )
                    .bind(workspace.to_string())
                    .bind(since as i64)
                    .bind(head as i64)
                    .bind(exclude.map(|n| n.to_string()).unwrap_or_default())
                    .bind((limit + 1) as i64)
                    .fetch(&self.pool);
                    // Cut at `limit` changes or about MAX_PAGE_BYTES of fields, whichever
                    // comes first, with at least one change per page; streamed, so a
                    // page of long notes is never all in memory at once.
                    let mut changes = Vec::new();
                    let mut bytes = 0usize;
                    let mut through = head;
                    let mut more = false;
                    while let Some(r) = rows.try_next().await? {
                        let fields: String = r.try_get("fields")?;
                        if changes.len() >= limit
                            || (!changes.is_empty() && bytes + fields.len() > MAX_PAGE_BYTES)
                        {
                            more = true;
                            break;
                        }
                        bytes += fields.len();
                        changes.push(change_from_row(
                            r.try_get("tbl")?,
                            &r.try_get::<String, _>("row_id")?,
                            r.try_get("hlc")?,
                            &r.try_get::<String, _>("node")?,
                            &fields,
                        )?);
                        through = r.try_get::<i64, _>("seq")? as u64;
                    }
                    if !more {
                        through = head;
                    }
                    Ok(PullResponse {
                        changes,
                        through,
                        more,
                        through_mark: None,
                    })
                }

                async fn snapshot(
                    &self,
                    workspace: Uuid,
                    cursor: Option<&SnapshotCursor>,
                    limit: u32,
                ) -> Result<SnapshotResponse, StoreError> {
                    let limit = limit.clamp(MIN_SNAPSHOT_FIELDS, kith_protocol::sync::MAX_PAGE);
                    let head = self.head(workspace).await?;
                    let as_of = match cursor {
                        Some(c) if c.as_of > head => {
                            return Err(StoreError::Behind(format!(
                                "the cursor's as_of {} is past the workspace's head {head}",
                                c.as_of
                            )))
                        }
                        Some(c) => c.as_of,
                        None => head,
                    };
                    let (after_table, after_row) = cursor
                        .map(|c| (c.table.as_str(), c.row.as_str()))
                        .unwrap_or(("", ""));
                    // A row-value comparison, not `tbl > $2 OR (tbl = $2 AND …)`: both
                    // databases seek the primary key to it, where the OR read each page
                    // from the workspace's first row (snapshots went quadratic).
                    let mut rows = sqlx::query(<$store>::SNAPSHOT_SQL)
                        .bind(workspace.to_string())
                        .bind(after_table)
                        .bind(after_row)
                        .bind(i64::from(limit) + 1)
                        .fetch(&self.pool);
                    // Streamed until one field past the page: past `limit` fields, or
                    // past the byte budget once the first row is whole.
                    let mut fields: Vec<FieldRow> = Vec::new();
                    let mut bytes = 0usize;
                    'rows: while let Some(r) = rows.try_next().await? {
                        let table: String = r.try_get("tbl")?;
                        let row: String = r.try_get("row_id")?;
                        let json: String = r.try_get("fields")?;
                        let row_fields: Vec<(String, String, i64, String)> =
                            serde_json::from_str(&json).map_err(|e| {
                                StoreError::Corrupt(format!("snapshot fields of {table}/{row}: {e}"))
                            })?;
                        for (column, value, hlc, node) in row_fields {
                            let in_first_row = fields
                                .first()
                                .is_some_and(|x| x.table == table && x.row == row);
                            bytes += value.len();
                            fields.push(FieldRow {
                                table: table.clone(),
                                row: row.clone(),
                                column,
                                value,
                                hlc,
                                node,
                            });
                            if fields.len() > limit as usize
                                || (bytes > MAX_PAGE_BYTES && !in_first_row)
                            {
                                break 'rows;
                            }
                        }
                    }
                    drop(rows);
                    let (page, more) = cut_page(fields, limit as usize, MAX_PAGE_BYTES);
                    let next = match (more, page.last()) {
                        (true, Some(last)) => Some(
                            SnapshotCursor {
                                as_of,
                                table: last.table.clone(),
                                row: last.row.clone(),
                            }
                            .encode(),
                        ),
                        _ => None,
                    };
                    Ok(SnapshotResponse { changes: group_fields(page)?, as_of, next })
                }

                async fn checksum(&self, workspace: Uuid) -> Result<ChecksumResponse, StoreError> {
                    let mut tx = self.begin_read().await?;
                    let head: Option<i64> =
                        sqlx::query_scalar("SELECT head FROM workspaces WHERE id = $1")
                            .bind(workspace.to_string())
                            .fetch_optional(&mut *tx)
                            .await?;
                    let head =
                        head.ok_or_else(|| StoreError::NotFound(format!("workspace {workspace}")))?;
                    // Streamed: the workspace's state is never all in memory.
                    let mut sum = Checksum::default();
                    {
                        // A result row per synced row, not per field: each result
                        // row is a hop from SQLite's worker thread (4.0 s -> 0.8 s at 828k fields).
                        let mut rows = sqlx::query(<$store>::CHECKSUM_SQL)
                            .bind(workspace.to_string())
                            .fetch(&mut *tx);
                        while let Some(r) = rows.try_next().await? {
                            let table: String = r.try_get("tbl")?;
                            let row_id: String = r.try_get("row_id")?;
                            let row = parse_uuid(&row_id)?;
                            let json: String = r.try_get("fields")?;
                            let fields: Vec<(String, String)> = serde_json::from_str(&json)
                                .map_err(|e| {
                                    StoreError::Corrupt(format!(
                                        "checksum fields of {table}/{row_id}: {e}"
                                    ))
                                })?;
                            for (column, value) in fields {
                                sum.add(&table, row, &column, &parse_value(&value)?);
                            }
                        }
                    }
                    tx.commit().await?;
                    Ok(ChecksumResponse { through: head as u64, checksum: sum.to_hex() })
                }

                async fn head(&self, workspace: Uuid) -> Result<u64, StoreError> {
                    let head: Option<i64> =
                        sqlx::query_scalar("SELECT head FROM workspaces WHERE id = $1")
                            .bind(workspace.to_string())
                            .fetch_optional(&self.pool)
                            .await?;
                    head.map(|h| h as u64)
                        .ok_or_else(|| StoreError::NotFound(format!("workspace {workspace}")))
                }

                async fn mark_at(&self, workspace: Uuid, seq: u64) -> Result<Option<SeqMark>, StoreError> {
                    let row: Option<(i64, String)> = sqlx::query_as(
                        "SELECT hlc, node FROM changes WHERE workspace_id = $1 AND seq = $2",
                    )
                    .bind(workspace.to_string())
                    .bind(i64::try_from(seq).unwrap_or(i64::MAX))
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|(hlc, node)| {
                        let node = Uuid::parse_str(&node)
                            .map_err(|e| StoreError::Corrupt(format!("change node {node:?}: {e}")))?;
                        Ok(SeqMark {
                            hlc: Hlc(hlc as u64),
                            node: NodeId(node),
                        })
                    })
                    .transpose()
                }

                fn subscribe(&self) -> broadcast::Receiver<Poke> {
                    self.events.subscribe()
                }
            }
        };
    };
}

pub(crate) use sql_store;
