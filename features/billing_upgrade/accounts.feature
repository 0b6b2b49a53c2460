Feature: Account balances and charges after the upgrade
  Source: shared/seeds/003_b05be724a846f199.txt: "Pick multiple diverse accounts to check" and
  "Check your list of ten or more diverse scenario accounts. Check that the balance and
  charges match what were billed in your production server which is on the previous release
  - also confirm that the numbers are accurate aside from what the production bill run
  processed". Production ran its bill run on the current release, the candidate on a copy.

  @UPG-16 @blocker @api
  Scenario: Ten or more diverse accounts have the balances and charges production billed
    Given diverse accounts picked from production that cover every stratum
    Then each picked account's balance and charges on the candidate equal production's
    And each picked account's numbers on the candidate add up

  @UPG-17 @blocker @api
  Scenario: Every account's balance and charges reconcile between production and the candidate
    When every account, invoice and invoice item of both instances is read through the billing API
    Then no account, invoice or invoice item differs between production and the candidate

  @UPG-22 @blocker @api
  Scenario: The bill-run exports are complete and every charge in them reconciles
    Given the bill-run exports of production and the candidate, complete by their control totals
    Then no account, invoice or invoice item differs between production and the candidate
