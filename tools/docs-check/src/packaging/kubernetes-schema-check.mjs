#!/usr/bin/env node
// Validates Kubernetes objects against the API's JSON schemas: kubernetes-models (the Kubernetes version it is pinned
// to, see package.json) and, for the prometheus-operator CRDs, @kubernetes-models/prometheus-operator. Reads a JSON
// array of objects on stdin and writes, for each, the list of problems (empty when valid) as a JSON array on stdout.
// A separate process because these packages are ES modules only, which Jest's CommonJS runtime cannot load.
//
// The schemas, like the API server, accept fields they do not define; `kubectl apply` refuses them (strict field
// validation), and a misspelt field silently does nothing. So each field is also probed: it is replaced by a value
// no schema type accepts (a fraction, then an empty object); a field whose replacement still validates is one the
// schema does not know.

/** API groups whose kinds come from a package of their own (custom resource definitions). */
const CRD_PACKAGES = { 'monitoring.coreos.com': '@kubernetes-models/prometheus-operator' };

async function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  const specifier = group
    ? `${CRD_PACKAGES[group] ?? 'kubernetes-models'}/${group}/${version}/${kind}`
    : `kubernetes-models/${version}/${kind}`;
  try {
    return (await import(specifier))[kind];
  } catch {
    return undefined;
  }
}

function schemaErrors(Model, object) {
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    return error.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
  }
}

/** Every field path of `value` (objects' keys; arrays are walked, their indexes are not fields). */
function* fields(value, path = []) {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* fields(item, [...path, index]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      yield [...path, key];
      yield* fields(child, [...path, key]);
    }
  }
}

function replaced(object, path, replacement) {
  const copy = structuredClone(object);
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step];
  parent[path[path.length - 1]] = replacement;
  return copy;
}

function unknownFields(Model, object) {
  const unknown = [];
  for (const path of fields(object)) {
    // Under a field already reported, every field is unknown too.
    if (unknown.some((prefix) => prefix.every((step, i) => path[i] === step))) continue;
    if (path.length === 1 && (path[0] === 'apiVersion' || path[0] === 'kind')) continue;
    const accepts = (probe) => schemaErrors(Model, replaced(object, path, probe)).length === 0;
    if (accepts(0.5) && accepts({})) unknown.push(path);
  }
  return unknown.map((path) => `/${path.join('/')} is not a field of ${object.kind}`);
}

/**
 * kustomize wraps a Secret's base64 values across lines; the API server decodes them with Go's base64, which skips
 * line breaks, while the schema's `byte` format does not: joined here, as the server would read them.
 */
function asTheServerReadsIt(object) {
  if (object?.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [key, String(value).replace(/[\r\n]/g, '')]),
  );
  return { ...object, data };
}

async function check(given) {
  const object = asTheServerReadsIt(given);
  const Model = await modelOf(String(object?.apiVersion), String(object?.kind));
  if (!Model) return [`no schema for ${object?.apiVersion} ${object?.kind}`];
  const errors = schemaErrors(Model, object);
  return errors.length > 0 ? errors : unknownFields(Model, object);
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const object of JSON.parse(input)) results.push(await check(object));
process.stdout.write(JSON.stringify(results));
