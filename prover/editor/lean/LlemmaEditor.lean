import LlemmaEditor.Tactic
