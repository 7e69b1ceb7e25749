-- A singular test: it fails (and lists them) when any deal has an error-severity finding.
select code, record_id, field, message
from {{ ref('pipelint_findings') }}
where severity = 'error'
