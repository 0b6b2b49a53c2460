Feature: __TITLE__ answers as expected
  Source: your team's go-live checklist (name the document and its line here).

  @__PREFIX__-01 @blocker @api
  Scenario: The service reports itself healthy on the expected version
    Given the __TITLE__ service
    Then it reports itself healthy on the expected version
