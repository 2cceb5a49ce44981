// The small built-in word lists seeded people are made of: names, titles and organisation units.
import type { SeedLists } from './queries.js';

export const SEED_LISTS: SeedLists = {
  given: [
    'Aaliyah', 'Adam', 'Aisha', 'Alejandro', 'Alice', 'Amara', 'Andrei', 'Anna', 'Arjun', 'Barbara', 'Ben', 'Bianca', 'Carlos',
    'Chen', 'Chloe', 'Daniel', 'Diego', 'Elena', 'Emma', 'Ethan', 'Fatima', 'Felix', 'Grace', 'Hana', 'Hugo', 'Ines', 'Isaac',
    'Jamal', 'Jana', 'Javier', 'Julia', 'Kenji', 'Laura', 'Leila', 'Liam', 'Lucas', 'Maria', 'Mateo', 'Maya', 'Mei', 'Mohammed',
    'Nadia', 'Noah', 'Olga', 'Omar', 'Priya', 'Rafael', 'Rosa', 'Samuel', 'Sara', 'Sofia', 'Tariq', 'Thomas', 'Valentina',
    'Wei', 'Yara', 'Yusuf', 'Zoe',
  ],
  middle: ['A', 'B', 'C', 'D', 'E', 'J', 'K', 'L', 'M', 'R', 'S', 'T', 'Ann', 'Grace', 'James', 'Jane', 'Lee', 'Lou', 'Marie', 'Ray'],
  family: [
    'Abbott', 'Adeyemi', 'Alvarez', 'Andersen', 'Bakker', 'Bauer', 'Becker', 'Bianchi', 'Brown', 'Carter', 'Chen', 'Costa', 'Dubois',
    'Dvorak', 'Eriksson', 'Fernandes', 'Fischer', 'Garcia', 'Gonzalez', 'Gupta', 'Haddad', 'Hansen', 'Hernandez', 'Ibrahim', 'Ito',
    'Jansen', 'Jensen', 'Johnson', 'Kaur', 'Kim', 'Kowalski', 'Kumar', 'Larsen', 'Lee', 'Lopez', 'Martin', 'Meyer', 'Miller',
    'Moreau', 'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Olsen', 'Park', 'Patel', 'Pereira', 'Petrov', 'Popescu', 'Rossi',
    "O'Brien", 'Santos', 'Schmidt', 'Silva', 'Singh', 'Smith', 'Sokolov', 'Suzuki', 'Tanaka', 'Taylor', 'Thompson', 'Usman',
    'van Dijk', 'Vargas', 'Wagner', 'Wang', 'Weber', 'Williams', 'Wilson', 'Wong', 'Yamamoto', 'Yilmaz', 'Zhang', 'Zimmermann',
  ],
  prefixes: ['Mr.', 'Ms.', 'Mrs.', 'Mx.', 'Dr.', 'Prof.'],
  suffixes: ['Jr.', 'Sr.', 'II', 'III', 'PhD'],
  titles: [
    'Account Executive', 'Accountant', 'Data Analyst', 'Designer', 'Director', 'Engineering Manager', 'HR Business Partner',
    'Marketing Specialist', 'Office Manager', 'Product Manager', 'Project Manager', 'Recruiter', 'Sales Representative',
    'Senior Software Engineer', 'Software Engineer', 'Staff Engineer', 'Support Engineer', 'Team Lead', 'Technical Writer',
    'Vice President',
  ],
  divisions: ['Corporate', 'Customer Success', 'Engineering', 'Finance', 'Go-to-Market', 'Operations', 'Product'],
  departments: [
    'Accounts Payable', 'Backend', 'Brand', 'Data Platform', 'Facilities', 'Frontend', 'Infrastructure', 'Legal', 'Mobile', 'Payroll',
    'People', 'Procurement', 'Quality', 'Research', 'Sales EMEA', 'Sales NA', 'Security', 'Support', 'Treasury', 'Web',
  ],
  timezones: ['America/Los_Angeles', 'America/New_York', 'America/Sao_Paulo', 'Europe/Berlin', 'Europe/London', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'],
};
