-- MSI-X table reads forwarded to the device model, per domain, most first:
-- each one is a round trip to dom0 that the MSI-X read emulation fix
-- answers in the hypervisor instead.
SELECT run_id, domid, reads_forwarded, reads_emulated, writes_forwarded,
       CASE WHEN reads_forwarded + reads_emulated > 0
            THEN ROUND(100.0 * reads_forwarded
                       / (reads_forwarded + reads_emulated), 1) END
           AS forwarded_pct
FROM v_msix_domain
WHERE reads_forwarded + reads_emulated + writes_forwarded > 0
ORDER BY run_id, reads_forwarded DESC, domid;
