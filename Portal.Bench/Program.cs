Console.WriteLine("Portal.Bench");
