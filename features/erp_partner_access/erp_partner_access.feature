@each_erp_customer
Feature: ERP partner access to the customer's EDI monitor
  Source: shared/seeds/001_8a14b2f9eac32710.txt, "Managing ERP Partner Users in the
  ecosio.monitor": the five key things to remember (partner relation first, the right
  permissions, TEST before PROD, revoking after onboarding, access only when wanted), the
  ERP partner's switch to the customer's monitor, and sub-company visibility.
  Runs once for every customer under packs.erp_partner_access.customers; its access plan (users,
  permissions, expiry or permanent, PROD access by onboarding phase, assigned
  sub-companies, revoke or keep after onboarding) is in the scenario file.

  Background:
    Given the customer's access plan and its partner users on TEST and PROD

  @ERP-01 @blocker @api
  Scenario: An ERP partner relation is set up before any partner user
    Then every partner user belongs to a partner relation set up before the user

  @ERP-02 @critical @api
  Scenario: Partner users have exactly the permissions they need
    Then each partner user has exactly the permissions of the access plan

  @ERP-03 @blocker @api
  Scenario: Partner users start on TEST and reach PROD only when the plan says
    Then every planned partner user exists on TEST
    And no partner user has PROD access the plan does not give for the current phase

  @ERP-04 @critical @api
  Scenario: Partner access is time-limited and ends after onboarding as planned
    Then every partner user has an expiry within the plan unless the plan makes it permanent
    And no partner user past its expiry is still enabled
    And after onboarding each partner user is revoked or kept as the plan says

  @ERP-05 @critical @api
  Scenario: A partner user on the parent company sees exactly the sub-companies it is assigned
    Then by API each partner user sees exactly the sub-companies assigned in the plan

  @ERP-06 @critical @ui
  Scenario: The partner user switches to the customer and sees its monitor, and nothing beyond its permissions
    When each active partner user logs in to the TEST monitor in the browser and switches to the customer
    Then the dashboard shows the customer's messages and only those
    And the partner users admin page is refused with an explanation

  @ERP-07 @blocker @ui
  Scenario: A revoked partner user can neither log in nor call the API
    Then no revoked partner user can log in to the monitor in the browser
    And no revoked partner user can call the monitor API
