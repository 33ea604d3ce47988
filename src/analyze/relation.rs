//! What relates a line of the report to other objects, as data: a generated object and its
//! owner, a pair of objects, an object only one side of a desired-state comparison has. The words
//! people read (`new build of BuildConfig web`) are the report's (`report::words`).

/// The controller that owns a generated object, in the object's namespace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Owner {
    /// `DeploymentConfig`, `BuildConfig`, `CronJob`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

impl Owner {
    /// The owner `kind`/`name`.
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Owner {
        Owner {
            kind: kind.into(),
            name: name.into(),
        }
    }
}

/// Whether a generated object came or went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Came {
    /// It is new: only the new side has it.
    New,
    /// It is gone: only the old side has it.
    Gone,
}

/// What kind of generated object an owner makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generated {
    /// A Build of a BuildConfig.
    Build,
    /// A Job of a CronJob.
    Job,
    /// A Pod of a controller.
    Pod,
    /// A ReplicationController or ReplicaSet of a DeploymentConfig or Deployment.
    Controller,
}

impl Generated {
    /// The generated kind of objects of `kind`: builds, jobs and pods by name, anything else a
    /// controller.
    pub fn of_kind(kind: &str) -> Generated {
        match kind {
            "Build" => Generated::Build,
            "Job" => Generated::Job,
            "Pod" => Generated::Pod,
            _ => Generated::Controller,
        }
    }
}

/// What an object only the cluster has grants that no manifest asked for (`--desired`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Danger {
    /// A workload in the compared namespaces with privileged containers, host namespaces or host
    /// paths: those facts of the security table (`grants spec.hostPID: true`).
    Grants(Vec<String>),
    /// A binding of a strong role to subjects that reach the compared namespaces (`grants
    /// ClusterRole/cluster-admin to Group system:authenticated`).
    Binding {
        /// `ClusterRole`, `Role`.
        role_kind: String,
        /// `cluster-admin`.
        role_name: String,
        /// `ServiceAccount shop/default`, `Group system:authenticated`.
        subjects: Vec<String>,
    },
    /// A webhook configuration that selects the compared namespaces.
    Intercepts,
}

/// What relates an entry to other objects.
///
/// The derived order sorts the history grid's series of new generated objects of one kind as
/// their words did: by owner kind, then owner name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// A generated object paired with the one its owner replaced (`replaced`).
    Replaced,
    /// A Job paired with its CronJob's previous one (`next job of CronJob report`).
    NextJob(Owner),
    /// A generated object that came or went as its owner does (`new build of BuildConfig web`).
    Generated {
        /// Whether it came or went.
        came: Came,
        /// What it is.
        what: Generated,
        /// Whose it is.
        owner: Owner,
    },
    /// A pod a StatefulSet updated in place (`updated with StatefulSet db`).
    UpdatedWith(Owner),
    /// A ConfigMap or Secret renamed by its content-hash suffix (`renamed (content hash)`).
    RenamedByContentHash,
    /// The replaced pods of one controller, on one line (`2 pods replaced; 1 differs from its
    /// template (web-4-x7k2p)`).
    PodsReplaced {
        /// How many.
        count: usize,
        /// The new names of those that differ from their template.
        edited: Vec<String>,
    },
    /// A replaced controller whose every change is its owner's template change (`replaced; same
    /// template changes as DeploymentConfig web`).
    SameTemplateChanges(Owner),
    /// A generated object that differs from its owner's template, so no churn (`new pod of
    /// ReplicaSet web-5d9; differs from its owner's template`); the relation it had, if any.
    DiffersFromOwnerTemplate(Option<Box<Relation>>),
    /// `--desired`: an object in the cluster the manifests do not mention (`in the cluster, not in
    /// the manifests`), with what it grants when that is dangerous.
    ClusterOnly {
        /// What it grants, when it is worth ranking.
        danger: Option<Danger>,
    },
    /// `--desired`: an object of the manifests the cluster lacks (`missing in the cluster`).
    MissingInCluster,
}
