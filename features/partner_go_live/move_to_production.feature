@each_partner
Feature: Move a trading partner into production
  Source: shared/seeds/000_e982a42a2f625d51.txt, "Moving a Trading Partner into Production":
  the Move-to-Production Checklist (seven conditions, all on the Customer Details page),
  then the move itself and the auto-generated email it sends.
  Runs once for every trading partner named under packs.partner_go_live.partners in the scenario.

  Background:
    Given the trading partner going live

  @MTP-01 @blocker @api
  Scenario: All change requests with configuration instructions are completed
    Then every change request with configuration instructions is completed

  @MTP-02 @critical @api
  Scenario: The right business rep is assigned and receives alert emails
    Then a business rep is assigned who is active and receives alert emails

  @MTP-03 @critical @api
  Scenario: An implementer is assigned
    Then an active implementer is assigned

  @MTP-04 @critical @api
  Scenario: Processed document notifications go to the correct emails
    Then the processed document notifications go exactly to the scenario's addresses

  @MTP-05 @blocker @api
  Scenario: The auto-assign key is set and not under review
    Then the auto-assign key is set and not under review

  @MTP-06 @blocker @api
  Scenario: At least one buyer is set up
    Then at least one buyer is set up

  @MTP-07 @blocker @api
  Scenario: The status is not New, Configuration Required or Information Required
    Then the status is none of "New", "Configuration Required", "Information Required"

  @MTP-08 @blocker @api @mutating
  Scenario: Move to Production moves the partner into production
    When the partner is moved to production with the external addresses deleted
    Then the partner's status is "Production"

  @MTP-09 @critical @api @mutating
  Scenario: The move-to-production email reaches everyone involved with the partner
    When the partner is moved to production with the external addresses deleted
    Then the move-to-production email reached the implementation contacts, buyers, inside sales rep, business rep, implementer and customer service

  @MTP-10 @critical @api @mutating
  Scenario: The move-to-production email goes to no address outside the organisation
    When the partner is moved to production with the external addresses deleted
    Then the move-to-production email went to no address outside the organisation
