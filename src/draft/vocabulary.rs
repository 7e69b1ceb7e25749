//! Common column names for the canonical fields, beyond any preset's spellings: what an
//! export nobody wrote a preset for calls its deal name, its amount or its stage.
//!
//! A header is compared as its words: lower-cased, split at anything that is not a letter or
//! a digit, with a leading object word ("Deal - ", "Opportunity ", "opp_") and a trailing
//! currency ("amount_usd", "Estimated $") set aside, so `Deal - Stage`, `deal_stage` and
//! `Opportunity Stage` all read as `stage`.

use crate::field::Canonical;

/// Words that name the record type rather than the field (`Deal - Owner`, `opp_name`).
const OBJECT_WORDS: [&str; 14] = [
    "deal",
    "deals",
    "opportunity",
    "opportunities",
    "opp",
    "opps",
    "oppty",
    "potential",
    // Spanish, Portuguese, French, Italian, German.
    "oportunidad",
    "oportunidade",
    "opportunite",
    "opportunité",
    "opportunità",
    "verkaufschance",
];

/// Small words a header in another language joins its words with ("Fecha de cierre",
/// "Nom de l'opportunité", "Name der Verkaufschance"): set aside to find the field.
const JOINING_WORDS: [&str; 18] = [
    "de", "la", "el", "del", "los", "las", "da", "do", "das", "dos", "di", "della", "du", "des",
    "le", "l", "der", "am",
];

/// Currency codes and words that may end an amount's header (`amount_usd`).
const CURRENCY_WORDS: [&str; 12] = [
    "usd", "eur", "gbp", "cad", "aud", "chf", "jpy", "inr", "sek", "nok", "dkk", "brl",
];

/// Each canonical field with the headers (as joined words) it commonly goes by.
const VOCABULARY: [(Canonical, &[&str]); 21] = [
    (
        Canonical::Id,
        &[
            "id",
            "recordid",
            "uid",
            "uuid",
            "key",
            "number",
            "ref",
            "reference",
            "crmid",
        ],
    ),
    (
        Canonical::Name,
        &[
            "name",
            "title",
            "topic",
            "subject",
            "opportunity",
            "deal",
            "dealname",
            "oppname",
            "opportunityname",
            "potentialname",
            "nombre",
            "nom",
            "nome",
            "titel",
            "titulo",
            "título",
            "titre",
        ],
    ),
    (
        Canonical::Account,
        &[
            "account",
            "accountname",
            "company",
            "companyname",
            "organization",
            "organisation",
            "org",
            "orgname",
            "organizationname",
            "customer",
            "customername",
            "client",
            "clientname",
            "potentialcustomer",
            "buyer",
            "cuenta",
            "empresa",
            "cliente",
            "compte",
            "société",
            "conta",
            "firma",
            "kunde",
            "unternehmen",
        ],
    ),
    (
        Canonical::Owner,
        &[
            "owner",
            "ownername",
            "ownerfullname",
            "rep",
            "repname",
            "salesrep",
            "salesagent",
            "agent",
            "salesperson",
            "seller",
            "assignedto",
            "assignee",
            "accountexecutive",
            "ae",
            "user",
            "responsible",
            "propietario",
            "responsable",
            "vendedor",
            "comercial",
            "propriétaire",
            "proprietaire",
            "proprietário",
            "proprietario",
            "besitzer",
            "inhaber",
            "verantwortlicher",
            "vertriebsmitarbeiter",
        ],
    ),
    (
        Canonical::Stage,
        &[
            "stage",
            "stagename",
            "salesstage",
            "pipelinestage",
            "pipelinestep",
            "dealstage",
            "phase",
            "salesphase",
            "pipelinephase",
            "step",
            "salesstep",
            "etapa",
            "fase",
            "étape",
            "etape",
            "estagio",
            "estágio",
            "vertriebsphase",
            "verkaufsphase",
        ],
    ),
    (
        Canonical::Amount,
        &[
            "amount",
            "value",
            "revenue",
            "estrevenue",
            "estimatedrevenue",
            "estimated",
            "estimatedvalue",
            "estvalue",
            "estimatedamount",
            "dealvalue",
            "dealsize",
            "size",
            "closevalue",
            "acv",
            "arr",
            "tcv",
            "amt",
            "total",
            "totalvalue",
            "price",
            "importe",
            "monto",
            "valor",
            "montant",
            "betrag",
            "importo",
            "umsatz",
        ],
    ),
    (
        Canonical::Currency,
        &[
            "currency",
            "currencycode",
            "currencyisocode",
            "ccy",
            "isocurrency",
            "moneda",
            "divisa",
            "devise",
            "moeda",
            "währung",
            "waehrung",
            "valuta",
        ],
    ),
    (
        Canonical::CloseDate,
        &[
            "closedate",
            "close",
            "closingdate",
            "closeddate",
            "closedon",
            "expectedclose",
            "expectedclosedate",
            "estclosedate",
            "estclose",
            "estimatedclosedate",
            "estimatedclose",
            "targetclose",
            "targetclosedate",
            "decisiondate",
            "actualclose",
            "actualclosedate",
            "dateclosed",
            "expectedclosingdate",
            "fechacierre",
            "fechadecierre",
            "fechacierreprevista",
            "fechaprevistacierre",
            "dateclôture",
            "datecloture",
            "datafechamento",
            "datachiusura",
            "abschlussdatum",
            "schlusstermin",
        ],
    ),
    (
        Canonical::CreatedDate,
        &[
            "createddate",
            "created",
            "createdat",
            "createdon",
            "createdate",
            "datecreated",
            "creationdate",
            "opened",
            "opendate",
            "openedon",
            "openedat",
            "fechacreación",
            "fechacreacion",
            "fechaalta",
            "datecréation",
            "datecreation",
            "datacriação",
            "datacriacao",
            "datacreazione",
            "erstelltam",
            "erstelldatum",
            "erstellungsdatum",
            "angelegtam",
        ],
    ),
    (
        Canonical::LastActivity,
        &[
            "lastactivity",
            "lastactivitydate",
            "lastactivityat",
            "lastactivityon",
            "lastcontacted",
            "lastcontact",
            "lastcontactdate",
            "lasttouch",
            "lasttouched",
            "lastengagement",
            "lastengagementdate",
        ],
    ),
    (
        Canonical::StageChanged,
        &[
            "stagechanged",
            "stagechangeddate",
            "stagechangedate",
            "stagechangedat",
            "stagechangedon",
            "laststagechange",
            "laststagechangedate",
            "stageentered",
            "stageentereddate",
            "stageenteredat",
            "stageenteredon",
            "stagesince",
            "stagedate",
            "stagestart",
            "stagestartdate",
            "dateenteredstage",
            "dateenteredcurrentstage",
            "enteredstage",
            "enteredstageon",
            "enteredstagedate",
            "timeenteredstage",
            "phasesince",
            "phasechanged",
            "phasechangeddate",
            "phaseentered",
            "phaseentereddate",
            "instagesince",
        ],
    ),
    (
        Canonical::Probability,
        &[
            "probability",
            "prob",
            "probabilitypct",
            "probabilitypercent",
            "winprobability",
            "winprob",
            "closeprobability",
            "likelihood",
            "winchance",
            "chance",
            "confidence",
            "winlikelihood",
            "probabilidad",
            "probabilité",
            "probabilite",
            "probabilidade",
            "probabilità",
            "wahrscheinlichkeit",
        ],
    ),
    (
        Canonical::ForecastCategory,
        &[
            "forecastcategory",
            "forecastcategoryname",
            "forecast",
            "forecastcat",
            "forecasttype",
            "forecaststatus",
            "forecastbucket",
        ],
    ),
    (
        Canonical::NextStep,
        &[
            "nextstep",
            "nextsteps",
            "nextaction",
            "nextactivity",
            "nextactions",
            "siguientepaso",
            "próximopaso",
            "proximopaso",
            "prochaineétape",
            "prochaineetape",
            "próximopasso",
            "proximopasso",
            "nächsterschritt",
            "naechsterschritt",
        ],
    ),
    (
        Canonical::PushCount,
        &[
            "pushcount",
            "pushes",
            "pushed",
            "timespushed",
            "numpushes",
            "numberofpushes",
            "closedatechanges",
            "closedatepushes",
            "closedatepushcount",
            "closedatechanged",
            "slips",
            "slipcount",
            "timesslipped",
        ],
    ),
    (
        Canonical::StageAge,
        &[
            "stageage",
            "stageagedays",
            "daysinstage",
            "ageinstage",
            "timeinstage",
            "daysincurrentstage",
            "dayssincestagechange",
        ],
    ),
    (
        Canonical::Status,
        &[
            "status",
            "estado",
            "statut",
            "dealstatus",
            "opportunitystatus",
            "outcome",
            "result",
            "wonlost",
            "winloss",
        ],
    ),
    (
        Canonical::NextStepDate,
        &[
            "nextstepdate",
            "nextstepdue",
            "nextstepduedate",
            "nextstepon",
            "nextstepby",
            "nextactiondate",
            "nextactiondue",
            "nextactivitydate",
            "nextactivitydue",
            "followupdate",
            "followupon",
            "followupby",
            "nextfollowup",
        ],
    ),
    (
        Canonical::Contacts,
        &[
            "contacts",
            "contactcount",
            "contactscount",
            "numcontacts",
            "numberofcontacts",
            "nofcontacts",
            "contactsengaged",
            "engagedcontacts",
            "stakeholders",
            "stakeholdercount",
            "buyers",
            "buyercount",
            "contactroles",
        ],
    ),
    (Canonical::IsClosed, &["isclosed", "closed"]),
    (Canonical::IsWon, &["iswon", "won"]),
];

/// The header's words: lower-cased, split at anything that is not a letter or a digit.
fn words(header: &str) -> Vec<String> {
    header
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The spellings a header is looked up by: its words joined, then without a leading object
/// word or a trailing currency (each only when words remain).
fn keys(header: &str) -> Vec<String> {
    let mut w = words(header);
    let mut out = vec![w.concat()];
    if w.len() > 1 && CURRENCY_WORDS.contains(&w[w.len() - 1].as_str()) {
        w.pop();
        out.push(w.concat());
    }
    if w.len() > 1 && OBJECT_WORDS.contains(&w[0].as_str()) {
        w.remove(0);
        out.push(w.concat());
    }
    // Another language's joining words ("Fecha de cierre"), and the record type after the
    // field ("Nombre de la oportunidad", "Name der Verkaufschance").
    if w.len() > 1 && w.iter().any(|x| JOINING_WORDS.contains(&x.as_str())) {
        w.retain(|x| !JOINING_WORDS.contains(&x.as_str()));
        if !w.is_empty() {
            out.push(w.concat());
        }
    }
    if w.len() > 1 && OBJECT_WORDS.contains(&w[w.len() - 1].as_str()) {
        w.pop();
        out.push(w.concat());
    }
    // A glued prefix (`dealname`, `OpportunityOwner`): one word starting with an object word.
    if let [only] = w.as_slice() {
        for o in OBJECT_WORDS {
            if let Some(rest) = only.strip_prefix(o).filter(|r| r.len() >= 2) {
                out.push(rest.to_string());
            }
        }
    }
    out
}

/// Headers of columns that hold short, repeated labels but never the deal's stage: its type,
/// source, reason, product, region. Their values may read like stages ("New Business",
/// "Evaluation"), so their names rule them out.
const NEVER_STAGE: [&str; 24] = [
    "type",
    "dealtype",
    "opportunitytype",
    "businesstype",
    "tipo",
    "typ",
    "source",
    "leadsource",
    "reason",
    "lossreason",
    "closereason",
    "wonreason",
    "lostreason",
    "description",
    "notes",
    "note",
    "comments",
    "comment",
    "product",
    "industry",
    "region",
    "segment",
    "territory",
    "priority",
];

/// Whether a header names a column that is never the stage (see [`NEVER_STAGE`]).
pub(super) fn never_stage(header: &str) -> bool {
    keys(header)
        .iter()
        .any(|k| NEVER_STAGE.contains(&k.as_str()))
}

/// The canonical field a header commonly names, if any.
pub(super) fn field_for(header: &str) -> Option<Canonical> {
    keys(header).iter().find_map(|k| {
        VOCABULARY
            .iter()
            .find(|(_, names)| names.contains(&k.as_str()))
            .map(|(field, _)| *field)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_read_as_canonical_fields() {
        let cases: &[(&str, Canonical)] = &[
            ("opp_name", Canonical::Name),
            ("deal_name", Canonical::Name),
            ("opportunity_name", Canonical::Name),
            ("Topic", Canonical::Name),
            ("stage_entered_date", Canonical::StageChanged),
            ("Stage Since", Canonical::StageChanged),
            ("date_entered_stage", Canonical::StageChanged),
            ("close_date_changes", Canonical::PushCount),
            ("Push Count", Canonical::PushCount),
            ("pushes", Canonical::PushCount),
            ("next_step_date", Canonical::NextStepDate),
            ("Next Step Due", Canonical::NextStepDate),
            ("contact_count", Canonical::Contacts),
            ("Contacts", Canonical::Contacts),
            ("num_contacts", Canonical::Contacts),
            ("Est. revenue", Canonical::Amount),
            ("Estimated $", Canonical::Amount),
            ("deal_value", Canonical::Amount),
            ("value", Canonical::Amount),
            ("amount_usd", Canonical::Amount),
            ("Est. close date", Canonical::CloseDate),
            ("expected_close", Canonical::CloseDate),
            ("Potential Customer", Canonical::Account),
            ("company", Canonical::Account),
            ("owner", Canonical::Owner),
            ("rep", Canonical::Owner),
            ("sales_agent", Canonical::Owner),
            ("Deal - Owner", Canonical::Owner),
            ("OpportunityOwner", Canonical::Owner),
            ("Deal - Stage", Canonical::Stage),
            ("Sales Stage", Canonical::Stage),
            ("opp_id", Canonical::Id),
            ("Created On", Canonical::CreatedDate),
            ("created_at", Canonical::CreatedDate),
            ("Forecast category", Canonical::ForecastCategory),
            ("Status", Canonical::Status),
        ];
        for (header, field) in cases {
            assert_eq!(field_for(header), Some(*field), "{header}");
        }
    }

    #[test]
    fn other_names_and_bare_object_words_read_as_nothing() {
        // "State" is a region in US exports; "Status Reason" says why, not whether.
        for header in [
            "Lead Source",
            "Region",
            "State",
            "Status Reason",
            "Type",
            "Notes",
        ] {
            assert_eq!(field_for(header), None, "{header}");
        }
        // An object word alone is the deal's name ("Opportunity"), not an empty field.
        assert_eq!(field_for("Opportunity"), Some(Canonical::Name));
        assert_eq!(field_for("deal_"), Some(Canonical::Name));
    }
}
