//! Incident databases: `[[incident]]` entries from TOML or CSV files (see
//! the loader), or built in code, indexed by id, selected by id or tag.

use std::collections::HashMap;
use std::sync::Arc;

use crate::appeal::{Incident, sorted_tags};
use crate::error::{Diagnostic, Error, Location};
use crate::origin::Origin;

/// Incidents an appeal can cite by id or `tag:NAME`.
///
/// Ids are unique across everything added: adding an id twice is an error
/// that names both places.
///
/// ```
/// use appeal::{Incident, Incidents};
///
/// let mut incidents = Incidents::default();
/// let mut arrest = Incident::new("maz-zhernak", "The chairman of the SPM union at MAZ was arrested.");
/// arrest.tags = vec!["spm".into()];
/// incidents.insert(arrest)?;
/// assert_eq!(incidents.tagged("spm").count(), 1);
/// assert!(incidents.insert(Incident::new("maz-zhernak", "again")).is_err());
/// # Ok::<(), appeal::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Incidents {
    entries: Vec<(Incident, Option<Defined>)>,
    index: HashMap<String, usize>,
}

/// Where an incident of a database file is defined: the file, and its
/// number there (`incident[3]`).
#[derive(Debug, Clone)]
pub(crate) struct Defined {
    pub origin: Arc<Origin>,
    pub index: usize,
}

impl Defined {
    /// The key path of the incident's `key` (`.summary`, or `""` for the
    /// incident) in its file.
    pub fn path(&self, key: &str) -> String {
        format!("incident[{}]{key}", self.index)
    }

    /// Where the incident's `key` is in its file.
    pub fn locate(&self, key: &str) -> Location {
        self.origin.locate(&self.path(key))
    }
}

impl Incidents {
    /// Adds `incident`; its id must be new.
    pub fn insert(&mut self, incident: Incident) -> Result<(), Error> {
        self.push(incident, None)
    }

    /// Adds `incident`, defined at `place`; its id must be new.
    pub(crate) fn push(&mut self, incident: Incident, place: Option<Defined>) -> Result<(), Error> {
        if let Some(&first) = self.index.get(&incident.id) {
            let mut diagnostic = Diagnostic::new(
                "duplicate-id",
                format!("duplicate incident id \"{}\"", incident.id),
            );
            if let Some(place) = &place {
                diagnostic = diagnostic.at(place.locate(".id"));
            }
            diagnostic = match &self.entries[first].1 {
                Some(first) => diagnostic.hint(format!("first defined at {}", first.locate(".id"))),
                None => diagnostic.hint("first defined in code"),
            };
            return Err(diagnostic.into());
        }
        self.index.insert(incident.id.clone(), self.entries.len());
        self.entries.push((incident, place));
        Ok(())
    }

    /// Adds every incident of `other`; every problem (duplicate ids) is reported.
    pub fn extend(&mut self, other: Incidents) -> Result<(), Error> {
        let mut diagnostics = Vec::new();
        for (incident, place) in other.entries {
            if let Err(error) = self.push(incident, place) {
                diagnostics.extend(error.diagnostics().iter().cloned());
            }
        }
        match diagnostics.is_empty() {
            true => Ok(()),
            false => Err(Error::invalid(diagnostics)),
        }
    }

    /// Where the incident with `id` is defined, if it came from a file.
    pub(crate) fn defined(&self, id: &str) -> Option<&Defined> {
        self.index.get(id).and_then(|&i| self.entries[i].1.as_ref())
    }

    /// The incident with `id`.
    pub fn get(&self, id: &str) -> Option<&Incident> {
        self.index.get(id).map(|&i| &self.entries[i].0)
    }

    /// Every incident, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &Incident> {
        self.entries.iter().map(|(incident, _)| incident)
    }

    /// The incidents tagged `tag`, in the order added.
    pub fn tagged<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Incident> {
        self.iter()
            .filter(move |incident| incident.tags.iter().any(|t| t == tag))
    }

    /// Every tag used, sorted, once each.
    pub fn tags(&self) -> Vec<&str> {
        sorted_tags(self.iter().flat_map(|i| &i.tags))
    }

    /// How many incidents there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
