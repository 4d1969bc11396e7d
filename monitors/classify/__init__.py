"""Classification: the topic file, text, dates, entities, figures, visits, and the classifier."""
