Feature: New features of the release are known and practised
  Source: shared/seeds/003_b05be724a846f199.txt: "Finally, familiarize yourself with any new
  features listed in the release" and "Practice using any new features so that you know how
  they operate". A person attests these in the run's input (packs.billing_upgrade.attestations: who, when,
  which features); the candidate's release notes say which features there are. A missing or
  incomplete attestation leaves the item pending: it fails with a reason starting "pending",
  so the verdict cannot be GO unless the item is waived. (The seed's "search the knowledge
  base" and "ask questions" are advice, not checkable, and have no item.)

  @UPG-20 @critical @api @manual
  Scenario: Staff familiarized themselves with every new feature listed in the release
    Then an attestation "UPG-20" covers every new feature of the release

  @UPG-21 @critical @api @manual
  Scenario: Staff practised every new feature that changes how they work
    Then an attestation "UPG-21" covers every new feature of the release that needs practice
