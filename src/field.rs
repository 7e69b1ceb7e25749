//! Canonical fields: the names pipelint understands regardless of how an export spells them.

use std::fmt;

/// A field pipelint knows the meaning of. Exports name them differently (`Stage`, `StageName`,
/// `Deal Stage`); `[columns]` and the presets map headers onto these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Canonical {
    Id,
    Name,
    Account,
    Owner,
    Stage,
    Amount,
    Currency,
    CloseDate,
    CreatedDate,
    LastActivity,
    StageChanged,
    Probability,
    ForecastCategory,
    NextStep,
    PushCount,
    StageAge,
    /// Open/won/lost, where the CRM keeps it apart from the stage (Pipedrive's `Status`).
    Status,
    /// When the next step is due.
    NextStepDate,
    /// How many contacts (buyers) are engaged on the deal.
    Contacts,
    /// Whether the deal is closed (Salesforce's `IsClosed`): closed deals are won or lost,
    /// open ones are open whatever their stage is called.
    IsClosed,
    /// Whether a closed deal was won (Salesforce's `IsWon`).
    IsWon,
}

impl Canonical {
    pub(crate) const ALL: [Canonical; 21] = [
        Canonical::Id,
        Canonical::Name,
        Canonical::Account,
        Canonical::Owner,
        Canonical::Stage,
        Canonical::Amount,
        Canonical::Currency,
        Canonical::CloseDate,
        Canonical::CreatedDate,
        Canonical::LastActivity,
        Canonical::StageChanged,
        Canonical::Probability,
        Canonical::ForecastCategory,
        Canonical::NextStep,
        Canonical::PushCount,
        Canonical::StageAge,
        Canonical::Status,
        Canonical::NextStepDate,
        Canonical::Contacts,
        Canonical::IsClosed,
        Canonical::IsWon,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Canonical::Id => "id",
            Canonical::Name => "name",
            Canonical::Account => "account",
            Canonical::Owner => "owner",
            Canonical::Stage => "stage",
            Canonical::Amount => "amount",
            Canonical::Currency => "currency",
            Canonical::CloseDate => "close_date",
            Canonical::CreatedDate => "created_date",
            Canonical::LastActivity => "last_activity",
            Canonical::StageChanged => "stage_changed",
            Canonical::Probability => "probability",
            Canonical::ForecastCategory => "forecast_category",
            Canonical::NextStep => "next_step",
            Canonical::PushCount => "push_count",
            Canonical::StageAge => "stage_age",
            Canonical::Status => "status",
            Canonical::NextStepDate => "next_step_date",
            Canonical::Contacts => "contacts",
            Canonical::IsClosed => "is_closed",
            Canonical::IsWon => "is_won",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Canonical> {
        Canonical::ALL.into_iter().find(|c| c.as_str() == name)
    }

    pub(crate) fn names() -> impl Iterator<Item = &'static str> {
        Canonical::ALL.into_iter().map(Canonical::as_str)
    }

    /// Whether `[fields]` may give this field type `kind`. Amounts are summed as money and
    /// dates compared as dates, so those types are fixed; text fields may be enums.
    pub(crate) fn accepts(self, kind: FieldType) -> bool {
        match self.default_type() {
            FieldType::Text => matches!(kind, FieldType::Text | FieldType::Enum),
            FieldType::Percent => matches!(kind, FieldType::Percent | FieldType::Number),
            fixed => kind == fixed,
        }
    }

    /// The types [`Canonical::accepts`], in words.
    pub(crate) fn accepted_types(self) -> &'static str {
        match self.default_type() {
            FieldType::Text => "text (or an enum)",
            FieldType::Percent => "a percent (or a number)",
            FieldType::Money => "money",
            FieldType::Date => "a date",
            FieldType::Number => "a number",
            FieldType::Boolean => "a yes/no value",
            _ => "text",
        }
    }

    /// The type a canonical field has unless `[fields]` says otherwise.
    pub(crate) fn default_type(self) -> FieldType {
        match self {
            Canonical::Amount => FieldType::Money,
            Canonical::CloseDate
            | Canonical::CreatedDate
            | Canonical::LastActivity
            | Canonical::StageChanged
            | Canonical::NextStepDate => FieldType::Date,
            Canonical::Probability => FieldType::Percent,
            Canonical::PushCount | Canonical::StageAge | Canonical::Contacts => FieldType::Number,
            Canonical::IsClosed | Canonical::IsWon => FieldType::Boolean,
            _ => FieldType::Text,
        }
    }
}

impl fmt::Display for Canonical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a field's values are read and validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldType {
    Text,
    Enum,
    Date,
    Money,
    Number,
    Percent,
    Boolean,
}

impl FieldType {
    pub(crate) const NAMES: [&'static str; 7] = [
        "text", "enum", "date", "money", "number", "percent", "boolean",
    ];

    pub(crate) fn parse(name: &str) -> Option<FieldType> {
        Some(match name {
            "text" => FieldType::Text,
            "enum" => FieldType::Enum,
            "date" => FieldType::Date,
            "money" => FieldType::Money,
            "number" => FieldType::Number,
            "percent" => FieldType::Percent,
            "boolean" => FieldType::Boolean,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub(crate) fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Money | FieldType::Number | FieldType::Percent
        )
    }
}

/// A field as the rules name it: a canonical field, or a header of the export verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FieldName {
    Canonical(Canonical),
    Header(String),
}

impl FieldName {
    pub(crate) fn parse(name: &str) -> FieldName {
        match Canonical::parse(name) {
            Some(c) => FieldName::Canonical(c),
            None => FieldName::Header(name.to_string()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            FieldName::Canonical(c) => c.as_str(),
            FieldName::Header(h) => h,
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_canonical_fields_in_declaration_order() {
        // The field table indexes canonical fields by `c as usize`.
        for (i, c) in Canonical::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            assert_eq!(Canonical::parse(c.as_str()), Some(*c));
        }
    }
}
