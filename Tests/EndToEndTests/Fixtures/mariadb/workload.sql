-- The live MariaDB workload (Tests/EndToEndTests/LiveMariaDBTests.swift, scripts/mariadb-live-capture):
-- run as root over the socket with `mariadb --force`, so the failing statement does not stop it.
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(200), amount DECIMAL(10,2));
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100));
CREATE TABLE `odd table` (`we"ird` INT, `back``tick` TEXT);
INSERT INTO orders VALUES (1, 'it''s quoted', 10.5), (2, "double \"quoted\"", 3);
INSERT INTO orders VALUES (3, 'multi
line	value with tab', 1);
INSERT INTO orders VALUES (4, 'backslash \\ and \\n literal', 2);
INSERT INTO orders VALUES (5, 'unicode: héllo ünïcödé 日本語 😀', 5);
INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob');
INSERT INTO `odd table` VALUES (1, 'x');
SELECT o.id, c.name
  FROM orders o
  JOIN customers c ON c.id = o.id   -- multi-line, with a comment
 WHERE o.amount > 1 /* and a block comment */;
CREATE VIEW v_orders AS SELECT id, amount FROM orders;
SELECT * FROM v_orders WHERE amount > 2;
CREATE TABLE order_log (id INT);
CREATE TRIGGER trg_orders AFTER INSERT ON orders FOR EACH ROW INSERT INTO order_log VALUES (NEW.id);
INSERT INTO orders VALUES (6, 'fires the trigger', 6);
DELIMITER //
CREATE PROCEDURE p_count(IN cid INT)
BEGIN
  SELECT COUNT(*) FROM orders WHERE id = cid;
END //
DELIMITER ;
CALL p_count(1);
PREPARE s1 FROM 'SELECT note FROM orders WHERE id = ?';
SET @x = 3;
EXECUTE s1 USING @x;
DEALLOCATE PREPARE s1;
ALTER TABLE customers ADD COLUMN email VARCHAR(100);
RENAME TABLE customers TO clients;
TRUNCATE TABLE order_log;
CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'S3cret';
GRANT SELECT, INSERT ON shop.* TO 'app'@'127.0.0.1';
SELECT * FROM no_such_table;
UPDATE orders SET amount = amount * 2 WHERE id IN (SELECT id FROM clients);
DELETE FROM orders WHERE id = 6;
DROP VIEW v_orders;
DROP TABLE clients;
