//! How an exported room reads: JSON lines (one message as the API shows it per line) or
//! Markdown for people (a heading per day, times in UTC).

use super::markdown_body::{self, escape};
use crate::domain::calendar::{civil_from_days, clock, day_of};
use crate::domain::{ChatMessage, RoomName};

/// The formats `?format=` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    JsonLines,
    Markdown,
}

impl ExportFormat {
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw.unwrap_or("jsonl") {
            "jsonl" => Some(ExportFormat::JsonLines),
            "md" => Some(ExportFormat::Markdown),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::JsonLines => "application/x-ndjson; charset=utf-8",
            ExportFormat::Markdown => "text/markdown; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::JsonLines => "jsonl",
            ExportFormat::Markdown => "md",
        }
    }

    /// What comes before the first message.
    pub fn header(self, room: &RoomName) -> String {
        match self {
            ExportFormat::JsonLines => String::new(),
            ExportFormat::Markdown => format!("# #{room}\n\nTimes are in UTC.\n"),
        }
    }

    /// One message, given the time of the one before it (for the day headings).
    pub fn message(self, message: &ChatMessage, previous_sent_at: Option<i64>) -> String {
        match self {
            ExportFormat::JsonLines => {
                let mut line = serde_json::to_string(message).unwrap_or_default();
                line.push('\n');
                line
            }
            ExportFormat::Markdown => markdown(message, previous_sent_at),
        }
    }
}

fn markdown(message: &ChatMessage, previous_sent_at: Option<i64>) -> String {
    let mut out = String::new();
    let day = day_of(message.sent_at);
    if previous_sent_at.is_none_or(|p| day_of(p) != day) {
        let (year, month, date) = civil_from_days(day);
        out.push_str(&format!("\n## {year:04}-{month:02}-{date:02}\n"));
    }
    out.push_str(&format!(
        "\n**{}** {}",
        escape(&message.author),
        clock(message.sent_at)
    ));
    if message.edited_at.is_some() {
        out.push_str(" (edited)");
    }
    out.push_str(&format!(" · [#{}]\n", message.seq));
    if let (Some(seq), Some(quote)) = (message.reply_to, &message.quote) {
        let text = if quote.deleted {
            "_message deleted_".to_owned()
        } else {
            escape(&quote.excerpt)
        };
        out.push_str(&format!(
            "> ↩ [#{seq}] **{}**: {text}\n",
            escape(&quote.author)
        ));
    }
    if message.deleted {
        out.push_str("\n_message deleted_\n");
    } else {
        out.push('\n');
        if !message.body.is_empty() {
            out.push_str(&markdown_body::body(&message.body));
            out.push('\n');
        }
        for file in &message.attachments {
            // The address is the chat's own: `<…>` keeps a name or URL from breaking out.
            out.push_str(&format!(
                "\n📎 [{}](<{}>) ({}, {})\n",
                escape(&file.name),
                file.url,
                escape(&file.content_type),
                crate::domain::human_size(file.size)
            ));
        }
    }
    if !message.reactions.is_empty() {
        let reactions: Vec<String> = message
            .reactions
            .0
            .iter()
            .map(|group| format!("{} {}", group.emoji, group.count))
            .collect();
        out.push_str(&format!("\n{}\n", reactions.join(" · ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Quote, Seq};

    #[test]
    fn a_line_of_json_per_message() {
        let line = ExportFormat::JsonLines.message(&ChatMessage::sample(3), None);
        assert!(line.ends_with("}\n") && line.matches('\n').count() == 1);
        let back: ChatMessage = serde_json::from_str(line.trim_end()).expect("json");
        assert_eq!(back, ChatMessage::sample(3));
    }

    #[test]
    fn markdown_has_days_authors_replies_and_keeps_markup_as_text() {
        let mut message = ChatMessage::sample(5);
        message.body = "**bold** <script>\nsecond line\n---".into();
        message.sent_at = 1_795_292_051_000;
        let original = ChatMessage::sample(2);
        message.reply_to = Some(Seq(2));
        message.quote = Some(Quote::of(&original));
        let md = ExportFormat::Markdown.message(&message, None);
        assert!(md.contains("## 2026-11-21"), "{md}");
        assert!(md.contains("**ann** 20:14 · [#5]"), "{md}");
        assert!(md.contains("> ↩ [#2] **ann**: m2"), "{md}");
        assert!(
            md.contains("m2\n\n**bold** \\<script\\>  \nsecond line  \n\\---\n"),
            "{md}"
        );
        let same_day = ExportFormat::Markdown.message(&message, Some(message.sent_at));
        assert!(!same_day.contains("##"), "one heading per day");
    }
}
