//! Printing results: one JSON document with `--json`, readable lines otherwise.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use kith_core::tasks::Task;
use kith_core::users::{UserDetail, UserSummary};
use serde::Serialize;

pub struct Output {
    pub json: bool,
    /// A progress line is on stderr and not yet ended.
    progress_open: AtomicBool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Self {
            json,
            progress_open: AtomicBool::new(false),
        }
    }

    /// How far an import or an undo has got, on one line of stderr rewritten in
    /// place ("import: 2000 rows read (12%)"); nothing with --json.
    pub fn progress(&self, p: &kith_core::import::run::Progress, what: &str) {
        if !self.json {
            eprint!("\r{what} ({:.0}%)", p.fraction * 100.0);
            self.progress_open.store(true, Ordering::Relaxed);
        }
    }

    /// Ends the progress line, if one was shown: whatever is printed next, a
    /// result or an error, starts on a line of its own.
    pub fn progress_done(&self) {
        if self.progress_open.swap(false, Ordering::Relaxed) {
            eprintln!();
        }
    }

    fn print_json(&self, value: &impl Serialize) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, value)?;
        writeln!(stdout)?;
        Ok(())
    }

    pub fn user(&self, user: &UserDetail) -> Result<()> {
        if self.json {
            return self.print_json(user);
        }
        println!("{}  {} {}", user.id, user.first_name, user.last_name);
        for (label, value) in [
            ("email", &user.email),
            ("mobile", &user.mobile_phone),
            ("home", &user.home_phone),
            ("app user id", &user.app_user_id),
            ("stripe id", &user.stripe_customer_id),
        ] {
            if let Some(v) = value {
                println!("  {label:<12} {v}");
            }
        }
        for v in &user.custom_values {
            println!("  {:<12} {}", v.name, v.display);
        }
        if user.deleted_at.is_some() {
            println!("  (in the trash)");
        }
        Ok(())
    }

    /// A list of users; `whole` is what `--json` prints (the page or search result).
    pub fn users(&self, rows: &[UserSummary], whole: &impl Serialize) -> Result<()> {
        if self.json {
            return self.print_json(whole);
        }
        for u in rows {
            let contact = u
                .email
                .as_deref()
                .or(u.mobile_phone.as_deref())
                .unwrap_or("");
            println!("{}  {} {}  {contact}", u.id, u.first_name, u.last_name);
        }
        Ok(())
    }

    pub fn task(&self, task: &Task) -> Result<()> {
        if self.json {
            return self.print_json(task);
        }
        println!("{}", task_line(task));
        Ok(())
    }

    pub fn tasks(&self, tasks: &[Task]) -> Result<()> {
        if self.json {
            return self.print_json(&tasks);
        }
        for t in tasks {
            println!("{}", task_line(t));
        }
        Ok(())
    }

    pub fn message(&self, text: &str, value: &impl Serialize) -> Result<()> {
        if self.json {
            return self.print_json(value);
        }
        println!("{text}");
        Ok(())
    }
}

/// `id  [x] due  priority  title  (user)`.
fn task_line(t: &Task) -> String {
    let due = match (&t.due_date, &t.due_time) {
        (Some(d), Some(time)) => format!("{d} {time}"),
        (Some(d), None) => d.clone(),
        _ => "-".into(),
    };
    let check = if t.done { "x" } else { " " };
    format!(
        "{}  [{check}] {due:<16}  {:<6}  {}  ({})",
        t.id,
        t.priority.as_str(),
        t.title,
        t.user_name
    )
}
