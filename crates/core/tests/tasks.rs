//! Tasks: validation, defaults that converge, completion, grouping, filters,
//! delete/restore and the "due now" query.

mod common;

use kith_core::staff::StaffInput;
use kith_core::tasks::*;
use kith_core::users::NewUser;
use kith_core::{CoreError, Kith};
use uuid::Uuid;

async fn user(kith: &Kith, first: &str, last: &str) -> Uuid {
    kith.users()
        .create(&NewUser {
            first_name: first.into(),
            last_name: last.into(),
            ..NewUser::default()
        })
        .await
        .unwrap()
        .id
}

async fn staff(kith: &Kith, name: &str) -> Uuid {
    kith.staff()
        .add(&StaffInput {
            name: name.into(),
            ..StaffInput::default()
        })
        .await
        .unwrap()
        .id
}

fn titled(title: &str) -> TaskInput {
    TaskInput {
        title: title.into(),
        ..TaskInput::default()
    }
}

fn due(title: &str, date: &str, time: Option<&str>) -> TaskInput {
    TaskInput {
        due_date: Some(date.into()),
        due_time: time.map(Into::into),
        ..titled(title)
    }
}

/// Every change a desktop has to send, as a server would pass them on.
async fn outbox(kith: &Kith) -> Vec<kith_core::protocol::Change> {
    let sent = kith.store().outbox(1_000).await.unwrap();
    sent.into_iter().map(|(_, c)| c).collect()
}

fn titles(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

fn field_of(e: CoreError) -> String {
    match e {
        CoreError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn bad_task_input_names_its_field_and_saves_nothing() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let tasks = kith.tasks();
        let cases = [
            (titled("   "), "title"),
            (titled(&"x".repeat(MAX_TITLE + 1)), "title"),
            (due("Call", "2025-02-30", None), "due_date"),
            (due("Call", "31/01/2025", None), "due_date"),
            (due("Call", "2025-01-31", Some("25:00")), "due_time"),
            (
                TaskInput {
                    due_time: Some("10:00".into()),
                    ..titled("Call")
                },
                "due_date",
            ),
            (
                TaskInput {
                    assignee_id: Some(Uuid::new_v4()),
                    ..titled("Call")
                },
                "assignee_id",
            ),
            (
                TaskInput {
                    category_id: Some(Uuid::new_v4()),
                    ..titled("Call")
                },
                "category_id",
            ),
        ];
        for (bad, field) in cases {
            let e = tasks.create(u, &bad).await.unwrap_err();
            assert_eq!(field_of(e), field, "{bad:?}");
        }
        assert!(matches!(
            tasks.create(Uuid::new_v4(), &titled("Call")).await,
            Err(CoreError::NotFound { .. })
        ));
        assert!(tasks.for_user(u).await.unwrap().is_empty());
        // A title of exactly the limit is fine.
        tasks
            .create(u, &titled(&"é".repeat(MAX_TITLE)))
            .await
            .unwrap();
    });
}

#[test]
fn a_new_task_starts_open_with_its_creator_and_the_users_name() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let me = staff(&kith, "Zoë").await;
        let mut settings = kith.settings();
        settings.current_staff_id = Some(me);
        kith.update_settings(&settings).await.unwrap();
        let u = user(&kith, "Ada", "Lovelace").await;
        let t = kith
            .tasks()
            .create(
                u,
                &TaskInput {
                    description: Some("  about the invoice ".into()),
                    assignee_id: Some(me),
                    priority: Priority::High,
                    ..due("Call back", "2025-03-10", Some("9:30"))
                },
            )
            .await
            .unwrap();
        let statuses = kith.tasks().statuses().await.unwrap();
        assert_eq!(t.status_id, Some(statuses[0].id));
        assert_eq!(statuses[0].name, "Open");
        assert!(!t.done);
        assert_eq!(t.completed_at, None);
        assert_eq!(t.created_by, Some(me));
        assert_eq!(t.assignee_id, Some(me));
        assert_eq!(t.user_name, "Ada Lovelace");
        assert_eq!(t.description.as_deref(), Some("about the invoice"));
        assert_eq!(t.due_time.as_deref(), Some("09:30"));
        assert_eq!(t.priority, Priority::High);
        assert!(t.created_at > 0);
    });
}

#[test]
fn defaults_are_seeded_once_in_order() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let tasks = kith.tasks();
        for _ in 0..2 {
            let statuses = tasks.statuses().await.unwrap();
            let names: Vec<(&str, bool)> = statuses
                .iter()
                .map(|s| (s.name.as_str(), s.is_done))
                .collect();
            assert_eq!(names, DEFAULT_STATUSES);
            let categories: Vec<String> = tasks
                .categories()
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect();
            assert_eq!(categories, DEFAULT_CATEGORIES);
        }
        // A removed default stays removed.
        let waiting = tasks.statuses().await.unwrap()[2].id;
        tasks.remove_status(waiting).await.unwrap();
        assert_eq!(tasks.statuses().await.unwrap().len(), 4);
    });
}

#[test]
fn two_desktops_seeding_offline_converge_on_one_row_per_default() {
    common::runtime().block_on(async {
        let (_a, a) = common::kith().await;
        let (_b, b) = common::kith().await;
        a.tasks().statuses().await.unwrap();
        b.tasks().categories().await.unwrap();
        let (from_a, from_b) = (outbox(&a).await, outbox(&b).await);
        a.store().merge(&from_b).await.unwrap();
        b.store().merge(&from_a).await.unwrap();
        for kith in [&a, &b] {
            assert_eq!(
                kith.tasks().statuses().await.unwrap().len(),
                DEFAULT_STATUSES.len()
            );
            assert_eq!(
                kith.tasks().categories().await.unwrap().len(),
                DEFAULT_CATEGORIES.len()
            );
            let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM task_statuses")
                .fetch_one(kith.store().pool())
                .await
                .unwrap();
            assert_eq!(rows, DEFAULT_STATUSES.len() as i64);
        }
        assert_eq!(common::dump(a.store()).await, common::dump(b.store()).await);
    });
}

#[test]
fn complete_reopen_and_done_statuses_keep_completed_at_in_step() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let tasks = kith.tasks();
        let t = tasks.create(u, &titled("Send contract")).await.unwrap();
        let statuses = tasks.statuses().await.unwrap();
        let by_name = |n: &str| statuses.iter().find(|s| s.name == n).unwrap().id;

        let done = tasks.complete(t.id).await.unwrap();
        assert!(done.done);
        assert_eq!(done.status_id, Some(by_name("Done")));
        let at = done.completed_at.expect("completed_at");
        // Completing again changes nothing.
        assert_eq!(tasks.complete(t.id).await.unwrap().completed_at, Some(at));

        let open = tasks.reopen(t.id).await.unwrap();
        assert!(!open.done);
        assert_eq!(open.status_id, Some(by_name("Open")));
        assert_eq!(open.completed_at, None);

        let edit = |status: &str| TaskInput {
            status_id: Some(by_name(status)),
            ..titled("Send contract")
        };
        let cancelled = tasks.update(t.id, &edit("Cancelled")).await.unwrap();
        assert!(cancelled.done && cancelled.completed_at.is_some());
        let waiting = tasks.update(t.id, &edit("Waiting")).await.unwrap();
        assert!(!waiting.done && waiting.completed_at.is_none());
        assert_eq!(waiting.status_id, Some(by_name("Waiting")));
    });
}

#[test]
fn an_update_writes_only_the_fields_that_changed() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let tasks = kith.tasks();
        let t = tasks
            .create(u, &due("Call", "2025-03-10", None))
            .await
            .unwrap();
        let before = kith.store().outbox(1_000).await.unwrap().len();
        let edited = tasks
            .update(
                t.id,
                &TaskInput {
                    priority: Priority::Urgent,
                    ..due("Call", "2025-03-10", None)
                },
            )
            .await
            .unwrap();
        assert_eq!(edited.priority, Priority::Urgent);
        let outbox = kith.store().outbox(1_000).await.unwrap();
        assert_eq!(outbox.len(), before + 1);
        let fields: Vec<&String> = outbox[before].1.fields.keys().collect();
        assert_eq!(fields, ["priority"]);
    });
}

#[test]
fn a_users_list_has_outstanding_tasks_first_then_completed() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let other = user(&kith, "Ben", "Berg").await;
        let tasks = kith.tasks();
        tasks.create(u, &titled("No date")).await.unwrap();
        tasks
            .create(u, &due("Later", "2025-05-01", None))
            .await
            .unwrap();
        tasks
            .create(u, &due("Sooner", "2025-04-01", Some("10:00")))
            .await
            .unwrap();
        let done = tasks
            .create(u, &due("Finished", "2025-01-01", None))
            .await
            .unwrap();
        tasks.complete(done.id).await.unwrap();
        tasks.create(other, &titled("Not hers")).await.unwrap();

        let list = tasks.for_user(u).await.unwrap();
        assert_eq!(titles(&list), ["Sooner", "Later", "No date", "Finished"]);
        assert!(list[3].done);
    });
}

#[test]
fn the_tasks_view_groups_by_due_date_against_the_given_today() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let tasks = kith.tasks();
        for input in [
            due("Yesterday", "2025-03-09", Some("17:00")),
            due("Last year", "2024-12-31", None),
            due("Today late", "2025-03-10", Some("16:00")),
            due("Today", "2025-03-10", None),
            due("Tomorrow", "2025-03-11", None),
            titled("Someday"),
        ] {
            tasks.create(u, &input).await.unwrap();
        }
        let groups = tasks
            .view(&TaskFilter::default(), "2025-03-10")
            .await
            .unwrap();
        assert_eq!(titles(&groups.overdue), ["Last year", "Yesterday"]);
        assert_eq!(titles(&groups.today), ["Today", "Today late"]);
        assert_eq!(titles(&groups.upcoming), ["Tomorrow"]);
        assert_eq!(titles(&groups.no_date), ["Someday"]);
        assert!(!groups.truncated);
        assert_eq!(groups.today[0].user_name, "Ada Lovelace");

        // The same tasks a day later.
        let later = tasks
            .view(&TaskFilter::default(), "2025-03-11")
            .await
            .unwrap();
        assert_eq!(later.overdue.len(), 4);
        assert_eq!(titles(&later.today), ["Tomorrow"]);

        let bad = tasks.view(&TaskFilter::default(), "10/03/2025").await;
        assert_eq!(field_of(bad.unwrap_err()), "today");
    });
}

#[test]
fn the_tasks_view_filters_by_assignee_status_category_priority_and_done() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let zoe = staff(&kith, "Zoë").await;
        let ben = staff(&kith, "Ben").await;
        let tasks = kith.tasks();
        let call = tasks.categories().await.unwrap()[0].id;
        let waiting = tasks.statuses().await.unwrap()[2].id;
        tasks
            .create(
                u,
                &TaskInput {
                    assignee_id: Some(zoe),
                    category_id: Some(call),
                    priority: Priority::Urgent,
                    ..titled("Zoë's call")
                },
            )
            .await
            .unwrap();
        tasks
            .create(
                u,
                &TaskInput {
                    assignee_id: Some(ben),
                    status_id: Some(waiting),
                    ..titled("Ben waits")
                },
            )
            .await
            .unwrap();
        let done = tasks.create(u, &titled("Done already")).await.unwrap();
        tasks.complete(done.id).await.unwrap();

        let all = |f: TaskFilter| {
            let tasks = kith.tasks();
            async move {
                let g = tasks.view(&f, "2025-03-10").await.unwrap();
                let mut t: Vec<String> = [g.overdue, g.today, g.upcoming, g.no_date]
                    .concat()
                    .into_iter()
                    .map(|t| t.title)
                    .collect();
                t.sort();
                t
            }
        };
        assert_eq!(all(TaskFilter::default()).await.len(), 3);
        let mine = TaskFilter {
            assignee_id: Some(zoe),
            ..TaskFilter::default()
        };
        assert_eq!(all(mine).await, ["Zoë's call"]);
        let by_status = TaskFilter {
            status_id: Some(waiting),
            ..TaskFilter::default()
        };
        assert_eq!(all(by_status).await, ["Ben waits"]);
        let by_category = TaskFilter {
            category_id: Some(call),
            ..TaskFilter::default()
        };
        assert_eq!(all(by_category).await, ["Zoë's call"]);
        let urgent = TaskFilter {
            priority: Some(Priority::Urgent),
            ..TaskFilter::default()
        };
        assert_eq!(all(urgent).await, ["Zoë's call"]);
        let no_priority = TaskFilter {
            priority: Some(Priority::None),
            ..TaskFilter::default()
        };
        assert_eq!(all(no_priority).await, ["Ben waits", "Done already"]);
        let open = TaskFilter {
            done: Some(false),
            ..TaskFilter::default()
        };
        assert_eq!(all(open).await, ["Ben waits", "Zoë's call"]);
        let closed = TaskFilter {
            done: Some(true),
            ..TaskFilter::default()
        };
        assert_eq!(all(closed).await, ["Done already"]);
    });
}

#[test]
fn a_deleted_task_is_gone_until_restored() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let tasks = kith.tasks();
        let t = tasks.create(u, &titled("Oops")).await.unwrap();
        tasks.delete(t.id).await.unwrap();
        assert!(tasks.for_user(u).await.unwrap().is_empty());
        assert!(matches!(
            tasks.get(t.id).await,
            Err(CoreError::NotFound { .. })
        ));
        let view = tasks
            .view(&TaskFilter::default(), "2025-03-10")
            .await
            .unwrap();
        assert!(view.no_date.is_empty());
        let back = tasks.restore(t.id).await.unwrap();
        assert_eq!(back.title, "Oops");
        assert_eq!(titles(&tasks.for_user(u).await.unwrap()), ["Oops"]);
        assert!(matches!(
            tasks.restore(Uuid::new_v4()).await,
            Err(CoreError::NotFound { .. })
        ));
    });
}

#[test]
fn due_between_finds_open_tasks_whose_moment_falls_in_the_window() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let u = user(&kith, "Ada", "Lovelace").await;
        let tasks = kith.tasks();
        tasks
            .create(u, &due("At ten", "2025-03-10", Some("10:00")))
            .await
            .unwrap();
        tasks
            .create(u, &due("Any time", "2025-03-10", None))
            .await
            .unwrap();
        tasks
            .create(u, &due("Next morning", "2025-03-11", Some("08:00")))
            .await
            .unwrap();
        tasks.create(u, &titled("Undated")).await.unwrap();
        let done = tasks
            .create(u, &due("Done", "2025-03-10", Some("09:30")))
            .await
            .unwrap();
        tasks.complete(done.id).await.unwrap();

        let at_nine = tasks
            .due_between("2025-03-10T08:59", "2025-03-10T09:00")
            .await
            .unwrap();
        assert_eq!(titles(&at_nine), ["Any time"], "no time means 09:00");
        let rest = tasks
            .due_between("2025-03-10T09:00", "2025-03-11T08:00")
            .await
            .unwrap();
        assert_eq!(titles(&rest), ["At ten", "Next morning"]);
        assert!(tasks
            .due_between("2025-03-11T08:00", "2025-03-11T09:00")
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            field_of(
                tasks
                    .due_between("2025-03-10", "2025-03-11T08:00")
                    .await
                    .unwrap_err()
            ),
            "moment"
        );
    });
}

#[test]
fn statuses_and_categories_are_managed_by_the_team() {
    common::runtime().block_on(async {
        let (_d, kith) = common::kith().await;
        let tasks = kith.tasks();
        let review = tasks.add_status("Review", false).await.unwrap();
        assert_eq!(review.position, DEFAULT_STATUSES.len() as i64);
        assert_eq!(
            field_of(tasks.add_status("open", false).await.unwrap_err()),
            "name"
        );
        let renamed = tasks
            .update_status(review.id, "In review", false)
            .await
            .unwrap();
        assert_eq!(renamed.name, "In review");

        let ids: Vec<Uuid> = tasks
            .statuses()
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        let reordered = tasks.reorder_statuses(&[review.id, ids[0]]).await.unwrap();
        let names: Vec<&str> = reordered.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "In review",
                "Open",
                "In progress",
                "Waiting",
                "Done",
                "Cancelled"
            ]
        );

        // One done status must remain, so Complete has somewhere to go.
        let done: Vec<Uuid> = reordered
            .iter()
            .filter(|s| s.is_done)
            .map(|s| s.id)
            .collect();
        tasks.remove_status(done[0]).await.unwrap();
        assert_eq!(
            field_of(tasks.remove_status(done[1]).await.unwrap_err()),
            "is_done"
        );
        assert_eq!(
            field_of(
                tasks
                    .update_status(done[1], "Cancelled", false)
                    .await
                    .unwrap_err()
            ),
            "is_done"
        );

        let visit = tasks.add_category("Visit").await.unwrap();
        tasks.rename_category(visit.id, "Site visit").await.unwrap();
        let cats = tasks.reorder_categories(&[visit.id]).await.unwrap();
        assert_eq!(cats[0].name, "Site visit");
        tasks.remove_category(cats[1].id).await.unwrap();
        let names: Vec<String> = tasks
            .categories()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["Site visit", "Email", "Meeting", "Follow-up"]);
    });
}
