//! Schemas of custom resources, from their CustomResourceDefinitions: how their lists are keyed,
//! what the API server fills in, whether they live in a namespace. Definitions in, values out.

pub mod crd;
